"""The supervisor's decision on a wallet withdrawal nothing can settle, against the real wallet
emulator: the request is lost before it reaches the books (a fault rule, ``when="before"``),
so the report never shows it, and after ``reconcile_minutes`` it needs a decision. The
payment's details show why, and «Отправить снова» / «Признать не проведённым» each ask for a
reason and a confirmation, act in the supervisor's name and are audited."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.wallet import WalletServer
from cashier_app.journal import PaymentRecord
from cashier_app.ui.cashier.wallet.dialogs import WithdrawDialog
from cashier_app.ui.supervisor.payment_details import DecisionDialog, PaymentDetails
from cashier_app.ui.supervisor.window import SupervisorWindow
from tests.gui.helpers import CASHIERS, Rig
from tests.gui.test_wallet_page import (
    PARTNER,
    books,
    cell,
    click,
    known_wallet,
    settle,
    wallet_rig,
    wallet_tab,
)

#: 0.6 s: the settings' least is 0.1 min; the tests set the engine's timing directly
RECONCILE_MINUTES = 0.01


@pytest.fixture
def wallets() -> Iterator[WalletServer]:
    server = WalletServer(client_id=PARTNER["client_id"], client_secret=PARTNER["client_secret"],
                          partner_id=PARTNER["partner_id"]).start()
    try:
        yield server
    finally:
        server.stop()


def lost_withdrawal(rig: Rig, qtbot: QtBot, wallets: WalletServer) -> tuple[str, PaymentRecord]:
    """A withdrawal of 250 ₽ whose request never reached the wallet service, left by the
    scheduler waiting for a decision."""
    rig.start()
    page = wallet_tab(rig, qtbot)
    wallet_id = known_wallet(rig, page, wallets)
    wallets.add_fault(method="withdrawal", action="drop", when="before")
    click(qtbot, page.card_view.withdraw_button)
    dialog = page.dialog
    assert isinstance(dialog, WithdrawDialog)
    rig.run(dialog.loading)
    dialog.bank.setCurrentIndex(1)
    dialog.amount.setText("250")
    click(qtbot, dialog.ok_button)
    click(qtbot, dialog.ok_button)
    assert dialog.task is not None
    rig.run(dialog.task)
    record = dialog.result
    assert isinstance(record, PaymentRecord) and record.state is State.PAYING
    settle(rig, page)
    assert "в обработке" in page.message.text()
    rig.wait_for(lambda: rig.journal.get(record.agent_transaction_id).needs_decision)
    assert books(wallets, wallet_id)["balance"] == Decimal("1000.00")  # it never happened
    assert cell(page.card_view.operations, 0, 3) == "ждёт решения старшего"
    return wallet_id, rig.journal.get(record.agent_transaction_id)


def details(rig: Rig, record: PaymentRecord) -> PaymentDetails:
    supervisor = next(person for person in CASHIERS if person.role.supervises)
    window = rig.window.show_supervisor(supervisor)
    # said above every tab the moment the supervisor opens the window
    assert window.decisions.isVisibleTo(window)
    assert window.decisions.text().startswith("Ждут вашего решения: 1")
    window.open_first_decision()
    dialog = window.details
    assert dialog is not None and dialog.tx_id == record.agent_transaction_id
    assert dialog.resend_button.isVisibleTo(dialog)
    assert dialog.not_done_button.isVisibleTo(dialog)
    assert "Нужно решение старшего кассира" in dialog.decision.text()
    assert "отправить снова или признать не проведённым" in dialog.decision.text()
    return dialog


def decide(rig: Rig, qtbot: QtBot, view: PaymentDetails, *, resend: bool,
           reason: str) -> DecisionDialog:
    click(qtbot, view.resend_button if resend else view.not_done_button)
    asked = view.decision_dialog
    assert asked is not None and asked.isVisible()
    click(qtbot, asked.ok)  # no reason: nothing happens
    assert "Укажите причину" in asked.error.text() and asked.isVisible()
    asked.reason.setText(reason)
    click(qtbot, asked.ok)
    assert not asked.isVisible()
    rig.wait_for(lambda: not view.tasks)
    return asked


def decisions(rig: Rig) -> list[dict[str, object]]:
    return [entry.details for entry in rig.journal.audit_entries(date.today(), date.today())
            if entry.action == "wallet-decision"]


def test_not_done_by_the_supervisors_decision(qtbot: QtBot, loop: qasync.QEventLoop,
                                              emulator: EmulatorServer, wallets: WalletServer,
                                              tmp_path: Path, screenshots: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path,
                     reconcile_minutes=RECONCILE_MINUTES)
    try:
        wallet_id, record = lost_withdrawal(rig, qtbot, wallets)
        view = details(rig, record)
        supervisor_window = view.parent()
        assert isinstance(supervisor_window, SupervisorWindow)
        supervisor_window.resize(1366, 768)
        assert supervisor_window.grab().save(str(screenshots / "wallet_decision_notice.png"))
        view.resize(1000, 720)
        assert view.grab().save(str(screenshots / "wallet_decision.png"))
        decide(rig, qtbot, view, resend=False, reason="сверено с выпиской")
        after = rig.journal.get(record.agent_transaction_id)
        assert after.state is State.FAILED
        assert after.result_message == ("Признан не проведённым: Сидорова Мария, "
                                        "сверено с выпиской")
        assert "Решение записано" in view.message.text()
        assert not view.resend_button.isVisibleTo(view)  # nothing left to decide
        assert books(wallets, wallet_id)["balance"] == Decimal("1000.00")
        assert decisions(rig) and decisions(rig)[-1]["resend"] is False
        assert decisions(rig)[-1]["reason"] == "сверено с выпиской"
        supervisor_window.show_decisions()
        assert not supervisor_window.decisions.isVisibleTo(supervisor_window)
    finally:
        rig.close()


def test_sent_again_by_the_supervisors_decision(qtbot: QtBot, loop: qasync.QEventLoop,
                                                emulator: EmulatorServer,
                                                wallets: WalletServer, tmp_path: Path) -> None:
    rig = wallet_rig(qtbot, loop, emulator, wallets, tmp_path,
                     reconcile_minutes=RECONCILE_MINUTES)
    try:
        wallet_id, record = lost_withdrawal(rig, qtbot, wallets)
        view = details(rig, record)
        decide(rig, qtbot, view, resend=True, reason="клиент ждёт, в банке нет")
        after = rig.journal.get(record.agent_transaction_id)
        assert after.state is State.PAID
        assert books(wallets, wallet_id)["balance"] == Decimal("750.00")  # once
        assert "Решение записано: " in view.message.text()
        assert decisions(rig)[-1]["resend"] is True
        page = rig.window.wallet_page
        assert page is not None
        rig.wait_for(lambda: cell(page.card_view.operations, 0, 3) == "списано")
    finally:
        rig.close()
