"""A service's limits at the amount field, refused before the cash is taken — not after the
center's 241/242 with the money already in the drawer. The emulator publishes its
providers' limits on the service definitions (``minAmount``/``maxAmount``), as a center that
knows them does; the ЖКХ invoice's lines carry theirs (minSum/maxSum) in the check answer."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import qasync
from pytestqt.qtbot import QtBot

from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer, ProcessingCenter, load_catalog
from cashier_app.ui.cashier.payment.panel import Step
from tests.conftest import TOKEN
from tests.gui.helpers import log_in, make_rig, type_text
from tests.gui.test_payment_panel_layout import at_size
from tests.gui.test_workplace import checked, fill


@pytest.fixture
def unlimited() -> Iterator[EmulatorServer]:
    """The demo emulator with Т2's limits unknown: its center publishes none for it."""
    catalog = load_catalog()
    for key in ("minAmount", "maxAmount"):
        catalog["providers"]["P1014"].pop(key, None)
    server = EmulatorServer(ProcessingCenter(catalog), token=TOKEN).start()
    try:
        yield server
    finally:
        server.stop()


def test_the_limits_are_shown_and_kept_before_the_cash(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path,
        screenshots: Path) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "мтс", {"account": "9101234567"})
    checked(rig)
    assert panel.step is Step.CHECKED, panel.status.text()
    limits = panel.money_box.limits_label
    assert limits.isVisible() and limits.text() == "от 10,00 до 15 000,00 ₽"
    type_text(panel.amount_edit, "5")
    assert panel.amount_message.text() == "Сумма к зачислению — не меньше 10,00 ₽"
    assert not panel.pay_button.isEnabled()
    assert panel.from_label.text() == "—"
    assert rig.window.grab().save(str(screenshots / "amount_below_limit.png"))
    panel.start_pay()  # F9 / Enter: refused here, nothing is sent, no cash is taken
    assert panel.step is Step.CHECKED
    assert emulator.center.request_counts.get("pay", 0) == 0
    assert rig.journal.get(panel.record.agent_transaction_id).state is State.CHECKED  # type: ignore[union-attr]
    panel.amount_edit.setText("15000,01")
    assert panel.amount_message.text() == "Сумма к зачислению — не больше 15 000,00 ₽"
    assert not panel.pay_button.isEnabled()
    panel.amount_edit.setText("15000")
    assert panel.amount_message.isHidden() and panel.pay_button.isEnabled()
    panel.start_pay()
    rig.wait_for(lambda: panel.step is Step.DONE)
    assert panel.banner.property("kind") == "paid"
    assert rig.journal.get(panel.record.agent_transaction_id).amount_to == Decimal(  # type: ignore[union-attr]
        "15000.00")
    rig.close()


def test_a_service_without_published_limits_shows_none(
        qtbot: QtBot, loop: qasync.QEventLoop, unlimited: EmulatorServer, tmp_path: Path
        ) -> None:
    rig = make_rig(qtbot, loop, unlimited.url, tmp_path)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "т2", {"account": "9001234567"})
    checked(rig)
    assert panel.money_box.limits_label.isHidden()
    panel.amount_edit.setText("5")
    assert panel.pay_button.isEnabled()  # unknown here: the center judges
    rig.close()


def test_invoice_line_limits_are_in_view_before_anything_is_typed(
        qtbot: QtBot, loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path
        ) -> None:
    rig = make_rig(qtbot, loop, emulator.url, tmp_path)
    at_size(rig, 1366, 768)
    log_in(rig, qtbot)
    panel = rig.window.panel
    fill(rig, qtbot, "жкх", {"account": "1000000001"})
    checked(rig)
    view = panel.result_view
    assert view.limits_label.isVisible()  # type: ignore[union-attr]
    text = view.limits_label.text()  # type: ignore[union-attr]
    assert text.replace("\u00a0", " ") == (
        "Пределы сумм: Отопление — от 100,00 до 5 000,00 ₽; Капитальный ремонт — не меньше "
        "540,00 ₽")
    assert "5\u00a0000,00\u00a0₽" in text  # an amount is never split across two lines
    assert panel.money_box.limits_label.isHidden()  # the total has no limit of its own
    rig.close()
