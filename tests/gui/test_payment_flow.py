"""The payment flow alone — no panel, no widget: what the cashier typed is handed to it as
plain data, and what it says comes out of its signals. Against the real emulator and a real
journal, through the program's own wiring (bootstrap)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import qasync

from cashier_app.bootstrap import Point
from cashier_app.core.services import ServiceDefinition
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.ui.cashier.payment.flow import Entered, PaymentFlow
from cashier_app.workplace.session import NO_SHIFT, WAIT_FOR_ANSWER, Session, Step
from tests.gui.helpers import CASHIERS, make_point, wait_for


@dataclass
class Desk:
    """A flow on a session, what is typed for it, and everything it said."""

    point: Point
    session: Session
    flow: PaymentFlow
    loop: qasync.QEventLoop
    catalog: list[dict[str, Any]]
    typed: Entered = field(default_factory=Entered)
    steps: list[Step] = field(default_factory=list)
    said: list[tuple[str, str]] = field(default_factory=list)
    heard: dict[str, list[Any]] = field(default_factory=dict)

    def service(self, service_id: str) -> ServiceDefinition:
        return next(ServiceDefinition.from_wire(s)
                    for s in self.catalog if s["serviceId"] == service_id)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def wait(self, condition: Any) -> None:
        self.run(wait_for(condition))

    def last_said(self) -> str:
        return next((text for text, _ in reversed(self.said) if text), "")


@pytest.fixture
def desk(loop: qasync.QEventLoop, emulator: EmulatorServer, tmp_path: Path) -> Iterator[Desk]:
    point = make_point(emulator.url, tmp_path)
    session = Session(point.engine, CASHIERS)
    holder: list[Desk] = []
    flow = PaymentFlow(point.engine, session, entered=lambda: holder[0].typed)
    desk = Desk(point, session, flow, loop, emulator.center.catalog["services"])
    holder.append(desk)
    flow.step_changed.connect(desk.steps.append)
    flow.said.connect(lambda text, kind: desk.said.append((text, kind)))
    for name in ("checked", "check_refused", "refused", "finished", "reset_requested"):
        desk.heard[name] = []
        getattr(flow, name).connect(lambda *args, _n=name: desk.heard[_n].append(args))
    yield desk
    loop.run_until_complete(point.aclose())


def in_shift(desk: Desk) -> None:
    desk.session.log_in(CASHIERS[0])
    desk.session.open_shift(Decimal("0.00"))


def test_a_cash_payment_from_the_form_to_its_outcome(desk: Desk,
                                                     emulator: EmulatorServer) -> None:
    in_shift(desk)
    flow, session = desk.flow, desk.session
    flow.open(desk.service("P1012"))
    assert desk.steps == [Step.FORM] and session.step is Step.FORM
    desk.run(flow.check({"account": "9101234567"}))
    assert desk.steps[-2:] == [Step.CHECKING, Step.CHECKED]
    [(record,)] = desk.heard["checked"]
    assert record.state is State.CHECKED and session.payment == record
    assert flow.limits.describe() == "от 10,00 до 15 000,00 ₽"  # the service's own limits

    # the amounts are the engine's: 1 % with a 10 ₽ minimum (the point's commission rules)
    desk.typed = Entered(amount="150", cash="200")
    money, problem = flow.quote()
    assert problem == "" and money == desk.point.engine.quote("P1012", Decimal("150.00"),
                                                              Decimal("200"))
    assert (money.commission, money.amount_from, money.change) == (
        Decimal("10.00"), Decimal("160.00"), Decimal("40.00"))
    assert flow.plan_problem(cash=True) == ""
    desk.typed = Entered(amount="150", cash="100")
    assert flow.plan_problem(cash=True) == ("Внесено 100,00 ₽, а к оплате 160,00 ₽: не "
                                            "хватает 60,00 ₽")
    flow.start_pay()  # refused on the spot: nothing sent
    assert desk.heard["refused"][-1] == (flow.plan_problem(cash=True),)
    assert emulator.center.request_counts.get("pay", 0) == 0
    desk.typed = Entered(amount="5", cash="")
    assert flow.amount_to() == (None, "Сумма к зачислению — не меньше 10,00 ₽")

    desk.typed = Entered(amount="150", cash="200")
    busy: list[str | None] = []  # what the session says while the pay is on its way
    flow.step_changed.connect(lambda step: busy.append(
        session.shift_busy(session.shift.id)) if step is Step.PAYING else None)  # type: ignore[union-attr]
    flow.start_pay()
    desk.wait(lambda: flow.step is Step.DONE)
    assert busy == [WAIT_FOR_ANSWER]
    assert desk.heard["finished"] and flow.record is not None
    assert flow.record.state is State.PAID and flow.record.change == Decimal("40.00")
    banner = flow.banner()
    assert banner is not None and banner.kind == "paid"
    assert banner.text.startswith("Оплачено: 150,00 ₽ на счёт 9101234567. Сдача: 40,00 ₽.")
    assert session.shift_busy(session.shift.id) is None  # type: ignore[union-attr]
    assert emulator.center.request_counts["pay"] == 1

    flow.escape()  # the next person
    assert flow.step is Step.EMPTY and session.payment is None
    assert desk.heard["reset_requested"] == [()]


def test_without_a_shift_nothing_is_journaled_or_sent(desk: Desk,
                                                      emulator: EmulatorServer) -> None:
    desk.flow.open(desk.service("P1012"))
    desk.run(desk.flow.check({"account": "9101234567"}))
    assert desk.said[-1] == (NO_SHIFT, "error") and desk.flow.step is Step.FORM
    assert emulator.center.request_counts.get("check", 0) == 0
    assert desk.point.journal.max_id() == 0


def test_a_refused_check_names_its_field_and_an_abandoned_one_is_cancelled(
        desk: Desk) -> None:
    in_shift(desk)
    flow = desk.flow
    flow.open(desk.service("P1012"))
    desk.run(flow.check({"account": "9100000000"}))  # not found at the provider
    assert flow.step is Step.FORM
    [(name, message)] = desk.heard["check_refused"]
    assert name == "account" and "(код 5)" in message
    assert desk.last_said().startswith("Платёж не принят: ")

    # Esc while the check is on its way: the payment is cancelled, the late answer ignored
    desk.flow.spawn(flow.check({"account": "9101234567"}))
    desk.wait(lambda: flow.step is Step.CHECKING)
    checking = flow.record
    assert checking is not None
    flow.escape()
    assert flow.step is Step.FORM and flow.record is None
    assert desk.last_said() == "Проверка отменена. Данные можно исправить и проверить снова."
    desk.wait(lambda: not flow.tasks)
    assert desk.point.journal.get(checking.agent_transaction_id).state is State.CANCELLED
    assert flow.step is Step.FORM  # the late answer changed nothing on the desk


def test_leaving_a_checked_payment_cancels_it(desk: Desk) -> None:
    in_shift(desk)
    flow = desk.flow
    flow.open(desk.service("P1012"))
    desk.run(flow.check({"account": "9101234567"}))
    record = flow.record
    assert record is not None and record.state is State.CHECKED
    flow.open(desk.service("P1011"))  # another service: the unpaid one moved no money
    assert desk.point.journal.get(record.agent_transaction_id).state is State.CANCELLED
    assert flow.record is None and flow.step is Step.FORM
