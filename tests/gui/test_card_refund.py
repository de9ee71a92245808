"""The supervisor and card payments, against the real card gateway emulator and a real journal:
«Вернуть на карту…» (a partial refund, then the rest — the gateway's books show what is
left), a refund over what is left refused in Russian at the field, a refund whose answer was
lost settled by «Проверить возврат», and the decision on a saved card's payment whose answer
was lost (a fault rule on ``recurrent`` that drops the answer after the gateway charged it):
«Указать номер платежа шлюза…» and «Признать не проведённым…». Each action is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cashier_app.card_api.models import CardRegistration
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.card import CardGateway
from cashier_app.journal import PaymentRecord
from cashier_app.ui.cashier.payment.panel import Step
from cashier_app.ui.supervisor.card_refund import CardRefundDialog
from cashier_app.ui.supervisor.payment_details import DecisionDialog, PaymentDetails, facts
from cashier_app.ui.supervisor.window import SupervisorWindow
from tests.gui.helpers import CASHIERS, Rig
from tests.gui.test_card_payment import (
    PHONE,
    TEST_CARD,
    card_rig,
    cell,
    click,
    gateway,
    key,
    run,
    saved_cards,
    show_link,
    to_amounts,
    wait_state,
)

__all__ = ["gateway"]  # the gateway emulator fixture, shared with test_card_payment


def paid_by_link(rig: Rig, qtbot: QtBot, gateway: CardGateway) -> PaymentRecord:
    """500 ₽ to МТС paid by link: 510,00 ₽ taken from the card."""
    record = show_link(rig, qtbot)
    gateway.pay(record.card_reg_pay_num or "", TEST_CARD, "123")
    rig.wait_for(lambda: rig.window.panel.step is Step.DONE)
    return rig.journal.get(record.agent_transaction_id)


def details(rig: Rig, record: PaymentRecord) -> PaymentDetails:
    supervisor = next(person for person in CASHIERS if person.role.supervises)
    window = rig.window.show_supervisor(supervisor)
    return window.open_details(record.agent_transaction_id)


def refund(rig: Rig, qtbot: QtBot, view: PaymentDetails, amount: str | None, reason: str,
           screenshot: Path | None = None) -> CardRefundDialog:
    click(qtbot, view.refund_button)
    dialog = view.refund_dialog
    assert dialog is not None and dialog.isVisible()
    if amount is not None:
        dialog.amount.setText(amount)
    dialog.reason.setText(reason)
    click(qtbot, dialog.ok)  # the question first
    assert dialog.question.isVisibleTo(dialog) and dialog.task is None
    if screenshot is not None:
        QApplication.processEvents()
        assert dialog.grab().save(str(screenshot))
    click(qtbot, dialog.ok)
    assert dialog.task is not None
    rig.run(dialog.task)
    return dialog


def audit(rig: Rig, action: str) -> list[dict[str, object]]:
    return [entry.details for entry in rig.journal.audit_entries(date.today(), date.today())
            if entry.action == action]


def test_partial_then_full_refund_and_one_over_what_is_left(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        gateway: CardGateway, tmp_path: Path, screenshots: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path)
    try:
        record = paid_by_link(rig, qtbot, gateway)
        number = record.card_reg_pay_num or ""
        view = details(rig, record)
        assert view.refund_button.isVisibleTo(view) and view.refund_button.isEnabled()
        assert not view.number_button.isVisibleTo(view)
        assert view.tabs.tabText(view.refunds_tab) == "Возвраты на карту (0)"
        shown = dict(facts(view.record))
        assert shown["Платёж в шлюзе"] == f"{number}, оплачен"
        assert shown["Способ оплаты"] != "card"  # in words

        # the reason is required; the default amount is all that is refundable
        click(qtbot, view.refund_button)
        asked = view.refund_dialog
        assert asked is not None and asked.amount.text() == "510,00"
        click(qtbot, asked.ok)
        assert asked.reason_error.text().startswith("Укажите причину возврата")
        assert not asked.question.isVisibleTo(asked)
        asked.reject()

        refund(rig, qtbot, view, "24", "услуга оказана частично",
                        screenshot=screenshots / "card_refund.png")
        assert gateway.books()[number]["remaining"] == 48600
        assert gateway.books()[number]["refunds"] == [2400]
        assert view.message.text() == ("Возвращено на карту 24,00 ₽; по платежу осталось "
                                       "486,00 ₽")
        assert rig.journal.get(record.agent_transaction_id).card_remaining == Decimal("486.00")
        assert view.tabs.tabText(view.refunds_tab) == "Возвраты на карту (1)"
        table = view.refunds_view.table
        assert cell(table, 0, 1) == "24,00 ₽" and cell(table, 0, 3) == "возвращено"
        assert cell(table, 0, 4) == "Сидорова Мария"

        # over what is left: refused at the field, in Russian; nothing is sent
        click(qtbot, view.refund_button)
        over = view.refund_dialog
        assert over is not None and over.amount.text() == "486,00"
        over.amount.setText("500")
        over.reason.setText("ошибка")
        click(qtbot, over.ok)
        assert over.amount_error.text() == ("Вернуть можно не больше 486,00 ₽: столько "
                                            "осталось по платежу")
        assert over.task is None and over.isVisible()
        over.reject()
        assert gateway.books()[number]["refunds"] == [2400]

        # the rest: nothing is left to give back
        refund(rig, qtbot, view, None, "заявление клиента")
        assert gateway.books()[number]["remaining"] == 0
        assert gateway.books()[number]["state"] == "payed"
        assert not view.refund_button.isEnabled()
        assert view.tabs.tabText(view.refunds_tab) == "Возвраты на карту (2)"
        assert isinstance(view.parent(), SupervisorWindow)
        view.resize(1000, 720)
        assert view.tabs.currentIndex() == view.refunds_tab  # shown after each refund
        QApplication.processEvents()
        assert view.grab().save(str(tmp_path / "refunds.png"))
        assert sorted(str(entry["amount"]) for entry in audit(rig, "card-refund")) == [
            "24.00", "486.00"]
    finally:
        rig.close()


def test_a_refund_whose_answer_was_lost_is_checked(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        gateway: CardGateway, tmp_path: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path)
    try:
        record = paid_by_link(rig, qtbot, gateway)
        number = record.card_reg_pay_num or ""
        view = details(rig, record)
        # the gateway refunds, then the answer is lost — and status is not answered either
        gateway.add_fault(method="refund", action="drop", when="after")
        gateway.add_fault(method="status", action="drop")
        refund(rig, qtbot, view, "100", "ошибка кассира")
        assert gateway.books()[number]["remaining"] == 41000  # it did happen
        assert cell(view.refunds_view.table, 0, 3) == "ответ не получен — проверьте"
        assert "Проверить возврат" in view.message.text()
        assert view.refunds_view.recheck_button.isEnabled()
        # a second refund is not taken until this one is known
        click(qtbot, view.refund_button)
        blocked = view.refund_dialog
        assert blocked is not None
        blocked.reason.setText("ещё")
        blocked.amount.setText("10")
        click(qtbot, blocked.ok)
        click(qtbot, blocked.ok)
        assert blocked.task is not None
        rig.run(blocked.task)
        assert "сначала проверьте его" in blocked.message.text() and blocked.isVisible()
        blocked.reject()
        click(qtbot, view.refunds_view.recheck_button)
        rig.wait_for(lambda: not view.tasks)
        assert view.message.text() == ("Возвращено на карту 100,00 ₽; по платежу осталось "
                                       "410,00 ₽")
        assert cell(view.refunds_view.table, 0, 3) == "возвращено"
        assert not view.refunds_view.recheck_button.isEnabled()
        assert rig.journal.get(record.agent_transaction_id).card_remaining == Decimal("410.00")
        assert gateway.books()[number]["refunds"] == [10000]  # never sent twice
    finally:
        rig.close()


def lost_saved_card_payment(rig: Rig, qtbot: QtBot, gateway: CardGateway) -> PaymentRecord:
    """A registered person with the test card; a payment by it whose answer is lost after
    the gateway charged the card: it waits for the supervisor."""
    to_amounts(rig, qtbot)
    dialog = saved_cards(rig, qtbot)
    dialog.phone.setText(PHONE)
    rig.run(dialog.desk.register_user(PHONE))
    registration = rig.run(dialog.desk.add_card(PHONE))
    assert isinstance(registration, CardRegistration)
    gateway.pay(registration.reg_pay_num, TEST_CARD, "123")
    dialog.start_lookup()
    run(rig, dialog)
    assert len(dialog.cards) == 1
    gateway.add_fault(method="recurrent", action="drop", when="after")
    panel = rig.window.panel
    click(qtbot, dialog.pay_button)
    rig.wait_for(lambda: panel.record is not None and bool(panel.record.needs_decision))
    record = panel.record
    assert record is not None and record.state is State.QR_WAITING
    view = panel.card_view
    rig.wait_for(lambda: view.status.text().startswith("Ответ шлюза на оплату сохранённой "
                                                       "картой потерян"))
    assert not view.cancel_button.isVisible() and not view.code.isVisible()
    charged = [book for book in gateway.books().values() if book["kind"] == "recurrent"]
    assert len(charged) == 1 and charged[0]["state"] == "payed"  # the money did move
    # the cashier leaves: nothing is cancelled, the supervisor decides
    from PySide6.QtCore import Qt

    rig.window.activateWindow()  # as the window manager does when the dialog closes
    QApplication.processEvents()
    key(qtbot, view, Qt.Key.Key_Escape)
    assert panel.step is Step.EMPTY
    after = rig.journal.get(record.agent_transaction_id)
    assert after.state is State.QR_WAITING and after.needs_decision
    assert after.cancel_requested_at is None
    return after


def decide(rig: Rig, qtbot: QtBot, view: PaymentDetails, button: object, *,
           number: str | None, reason: str) -> DecisionDialog:
    click(qtbot, button)  # type: ignore[arg-type]
    asked = view.decision_dialog
    assert asked is not None and asked.isVisible()
    click(qtbot, asked.ok)  # no reason: nothing happens
    assert asked.isVisible() and asked.error.text()
    if number is not None:
        assert asked.number is not None
        asked.number.setText("12a")
        asked.reason.setText(reason)
        click(qtbot, asked.ok)
        assert asked.error.text() == "Номер платежа шлюза — только цифры, как в кабинете шлюза"
        asked.number.setText(number)
    asked.reason.setText(reason)
    click(qtbot, asked.ok)
    assert not asked.isVisible()
    rig.wait_for(lambda: not view.tasks)
    return asked


def test_the_gateways_number_for_a_lost_saved_card_payment(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        gateway: CardGateway, tmp_path: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path)
    try:
        record = lost_saved_card_payment(rig, qtbot, gateway)
        view = details(rig, record)
        assert view.number_button.isVisibleTo(view) and view.not_done_button.isVisibleTo(view)
        assert not view.resend_button.isVisibleTo(view)
        assert "Нужно решение старшего кассира" in view.decision.text()
        number = next(num for num, book in gateway.books().items()
                      if book["kind"] == "recurrent")
        decide(rig, qtbot, view, view.number_button, number=number,
               reason="нашла в кабинете шлюза")
        after = rig.journal.get(record.agent_transaction_id)
        assert after.state is State.PAID and after.card_reg_pay_num == number
        assert view.message.text().startswith("Решение записано: оплачен")
        assert not view.number_button.isVisibleTo(view)
        assert view.refund_button.isVisibleTo(view)  # now paid: it can be given back
        assert audit(rig, "card-decision")[-1]["regPayNum"] == number
    finally:
        rig.close()


def test_a_lost_saved_card_payment_not_done(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer,
        gateway: CardGateway, tmp_path: Path) -> None:
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path)
    try:
        record = lost_saved_card_payment(rig, qtbot, gateway)
        view = details(rig, record)
        asked = decide(rig, qtbot, view, view.not_done_button, number=None,
                       reason="в кабинете платежа нет")
        assert asked.number is None
        after = rig.journal.get(record.agent_transaction_id)
        assert after.state is State.FAILED
        assert after.result_message == ("Признан не проведённым: Сидорова Мария, в кабинете "
                                        "платежа нет")
        assert not view.not_done_button.isVisibleTo(view)
        assert audit(rig, "card-decision")[-1]["regPayNum"] is None
    finally:
        rig.close()


def test_refund_offered_once_a_link_is_paid(qtbot: QtBot, loop: qasync.QEventLoop,
                                     emulator: EmulatorServer, gateway: CardGateway,
                                     tmp_path: Path) -> None:
    """A link still waiting has no refund; once paid, the details offer it."""
    rig = card_rig(qtbot, loop, emulator, gateway, tmp_path)
    try:
        record = show_link(rig, qtbot)
        view = details(rig, record)
        assert view.check_button.isEnabled() and not view.refund_button.isVisibleTo(view)
        gateway.pay(record.card_reg_pay_num or "", TEST_CARD, "123")
        wait_state(rig, record, State.PAID)
        view.reload()
        assert view.refund_button.isVisibleTo(view)
    finally:
        rig.close()
