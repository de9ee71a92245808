"""The client and the emulator over real loopback HTTP: methods, idempotency, faults."""

import asyncio
import itertools
import json
import urllib.request
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from cashier_app.core.result_codes import Finality
from cashier_app.core.services import Scheme
from cashier_app.emulator import EmulatorServer
from cashier_app.processing.client import ProcessingClient, until_final
from cashier_app.processing.errors import AuthError, TransportError
from cashier_app.processing.requests import ExtraService, check_body, pay_body
from cashier_app.processing.retry import RetryPolicy
from tests.conftest import TOKEN

T = TypeVar("T")
_ids = itertools.count(1_000_001)
DATE = "2026-11-23T10:15:00"
FAST = RetryPolicy(initial=0.01, factor=2, maximum=0.05)


def run(emulator: EmulatorServer, work: Callable[[ProcessingClient], Awaitable[T]],
        *, token: str = TOKEN, timeout: float = 5.0) -> T:
    async def go() -> T:
        async with ProcessingClient(emulator.url, token, timeout=timeout) as client:
            return await work(client)

    return asyncio.run(go())


def body(kind: str = "pay", **fields: Any) -> bytes:
    base: dict[str, Any] = {"service_id": "P1011", "account": "9031234560",
                            "agent_transaction_id": next(_ids), "agent_transaction_date": DATE}
    base.update(fields)
    if kind == "pay":
        base.setdefault("amount_to", Decimal("200.00"))
        base.setdefault("amount_from", base["amount_to"])
        return pay_body(**base)
    return check_body(**base)


def state(emulator: EmulatorServer) -> dict[str, Any]:
    with urllib.request.urlopen(f"{emulator.url}/_emulator/state", timeout=5) as response:
        return json.loads(response.read())


def tx(emulator: EmulatorServer, raw: bytes) -> dict[str, Any]:
    tx_id = json.loads(raw)["agentTransactionId"]
    return next(t for t in state(emulator)["transactions"] if t["agentTransactionId"] == tx_id)


# --- the methods -----------------------------------------------------------------------

def test_services_service_balance_operator(emulator: EmulatorServer) -> None:
    async def work(client: ProcessingClient) -> None:
        services = await client.services()
        schemes = {s.scheme for s in services.services}
        assert schemes == {Scheme.SIMPLE, Scheme.CHOICE, Scheme.COMPLEX}
        assert any(s.fixed_payment for s in services.services)
        single = await client.service("P0005")
        assert [s.name for s in single.services] == ["ЕРЦ «Городские коммунальные системы»"]
        assert (await client.service("NOPE")).result == 130
        balance = await client.balance()
        assert balance.ok and balance.balance == Decimal("500000.0000")
        assert balance.currency == "RUB" and balance.notification == Decimal("10000")
        assert (await client.operator_by_phone("9051234567")).service_id == "P1011"
        # MNP: a Beeline-range number that moved to MTS
        assert (await client.operator_by_phone("9031234567")).service_id == "P1012"
        assert (await client.operator_by_phone("1111111111")).result == 5
        assert (await client.operator_by_phone("12")).result == 4

    run(emulator, work)


def test_cyrillic_services_key_on_the_wire(emulator: EmulatorServer) -> None:
    request = urllib.request.Request(f"{emulator.url}/api/v20/services", data=b"{}",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert '"servi\u0441es":'.encode() in response.read()


def test_simple_check_and_pay_lowers_the_balance(emulator: EmulatorServer) -> None:
    tx_id = next(_ids)

    async def work(client: ProcessingClient) -> None:
        common = {"agent_transaction_id": tx_id}
        check = await client.check(body("check", **common))
        assert check.ok and check.agent_transaction_id == tx_id
        paid = await client.pay(body("pay", **common, amount_to=Decimal("150.50")))
        assert paid.ok and paid.transaction_id == check.transaction_id
        assert paid.transaction_date is not None and paid.status_date is not None
        assert (await client.balance()).balance == Decimal("499849.50")

    run(emulator, work)


def test_check_errors(emulator: EmulatorServer) -> None:
    async def work(client: ProcessingClient) -> None:
        assert (await client.check(body("check", account="12345"))).result == 4
        assert (await client.check(body("check", account="9030000000"))).result == 5
        assert (await client.check(body("check", service_id="P1013",
                                        account="9200000000"))).result == 7
        assert (await client.check(body("check", service_id="NOPE"))).result == 130
        assert (await client.pay(body(amount_to=Decimal("5.00")))).result == 241
        assert (await client.pay(body(amount_to=Decimal("15000.01")))).result == 242

    run(emulator, work)


def test_displays_and_fixed_amount(emulator: EmulatorServer) -> None:
    args = {"service_id": "P2001", "account": "1234567890",
            "extras": {"ev_account1": "0000012345"}}

    async def work(client: ProcessingClient) -> None:
        check = await client.check(body("check", **args))
        assert check.displays["fio"] == "Иванова Мария Петровна"
        assert check.fixed_amount == Decimal("4350.00")
        assert (await client.pay(body(**args, amount_to=Decimal("4000")))).result == 202
        assert (await client.pay(body(**args, amount_to=Decimal("4350")))).ok
        wrong_order = {**args, "extras": {"ev_account1": "0000099999"}}
        assert (await client.check(body("check", **wrong_order))).result == 5

    run(emulator, work)


def test_international_answer(emulator: EmulatorServer) -> None:
    async def work(client: ProcessingClient) -> None:
        check = await client.check(body("check", service_id="P4001", account="7012345678",
                                        amount_to=Decimal("1000")))
        assert check.rate == Decimal("5.4321") and check.currency == "KZT"
        assert check.final_amount == Decimal("5432.10")
        assert check.currency_rate == "Курс конвертации RUB/KZT 5.4321"

    run(emulator, work)


def test_choice_scheme(emulator: EmulatorServer) -> None:
    args = {"service_id": "P0006", "account": "770123456789"}

    async def work(client: ProcessingClient) -> None:
        check = await client.check(body("check", **args))
        assert [c.contract_id for c in check.contracts] == ["000000587", "000000588",
                                                            "000000589"]
        assert (await client.pay(body(**args, amount_to=Decimal("2000"),
                                      extras={"contractId": "999"}))).result == 202
        assert (await client.pay(body(**args, amount_to=Decimal("2000"),
                                      extras={"contractId": "000000588"}))).ok

    run(emulator, work)


def test_complex_scheme(emulator: EmulatorServer) -> None:
    args = {"service_id": "P0005", "account": "1000000001"}

    def lines(*items: ExtraService) -> dict[str, Any]:
        return {"extra_services": list(items),
                "amount_to": sum((i.amount for i in items), Decimal(0))}

    async def work(client: ProcessingClient) -> None:
        check = await client.check(body("check", **args))
        (invoice,) = check.invoices
        assert {line.sub_service_id for line in invoice.lines} == {"36", "37", "13", "2", "45"}
        meter = next(line for line in invoice.lines if line.is_meter)
        assert meter.prev_count == Decimal("4870.00")
        # sums must add up
        bad_sum = lines(ExtraService("13", Decimal("80")))
        bad_sum["amount_to"] = Decimal("81")
        assert (await client.pay(body(**args, **bad_sum))).result == 202
        # line limits: heating 100..5000, capital repair at least 540
        assert (await client.pay(body(**args, **lines(ExtraService("2", Decimal("50")))))
                ).result == 241
        assert (await client.pay(body(**args, **lines(ExtraService("2", Decimal("6000")))))
                ).result == 242
        # a meter reading below the previous one
        assert (await client.pay(body(**args, **lines(
            ExtraService("36", Decimal("100"), "4000"))))).result == 202
        paid = await client.pay(body(**args, **lines(
            ExtraService("36", Decimal("359.80"), "4920"), ExtraService("13", Decimal("80")),
            ExtraService("45", Decimal("540")))))
        assert paid.ok

    run(emulator, work)


# --- idempotency, 215, 202 -------------------------------------------------------------

def test_repeated_pay_returns_the_earlier_result_and_debits_once(emulator: EmulatorServer
                                                                  ) -> None:
    raw = body()

    async def work(client: ProcessingClient) -> None:
        first = await client.pay(raw)
        second = await client.pay(raw)
        assert first.ok and second.ok
        assert second.transaction_id == first.transaction_id
        assert second.transaction_date == first.transaction_date
        assert (await client.balance()).balance == Decimal("499800.00")

    run(emulator, work)
    record = tx(emulator, raw)
    assert record["debits"] == 1 and len(record["payRequests"]) == 2


def test_id_reused_for_a_different_payment_gets_215(emulator: EmulatorServer) -> None:
    tx_id = next(_ids)

    async def work(client: ProcessingClient) -> None:
        assert (await client.pay(body(agent_transaction_id=tx_id))).ok
        other = await client.pay(body(agent_transaction_id=tx_id, amount_to=Decimal("300")))
        assert other.result == 215 and other.finality() is Finality.FINAL_ERROR
        other_account = await client.check(body("check", agent_transaction_id=tx_id,
                                                account="9050000000"))
        assert other_account.result == 215

    run(emulator, work)


def test_changed_body_while_pending_gets_202_and_the_payment_goes_on(emulator: EmulatorServer
                                                                      ) -> None:
    emulator.add_fault(method="pay", action="code", result=1)
    tx_id = next(_ids)
    original = body(agent_transaction_id=tx_id)
    changed = body(agent_transaction_id=tx_id, amount_to=Decimal("999"))

    async def work(client: ProcessingClient) -> None:
        assert (await client.pay(original)).result == 1
        bad_repeat = await client.pay(changed)
        assert bad_repeat.result == 202
        assert bad_repeat.finality(after_non_final=True) is Finality.NOT_FINAL
        assert (await client.pay(original)).ok

    run(emulator, work)
    assert tx(emulator, original)["debits"] == 1
    assert tx(emulator, original)["amountTo"] == "200.00"


# --- fault modes -----------------------------------------------------------------------

@pytest.mark.parametrize("code", [1, 153, 220, 255])
def test_non_final_codes_then_final(emulator: EmulatorServer, code: int) -> None:
    emulator.add_fault(method="pay", action="code", result=code, times=2)
    raw = body()
    outcomes: list[int | str] = []

    def note(attempt: int, outcome: object) -> None:
        outcomes.append(getattr(outcome, "result", type(outcome).__name__))

    answer, final = run(emulator, lambda c: until_final(lambda: c.pay(raw), FAST,
                                                        on_outcome=note))
    assert final and answer is not None and answer.ok
    assert outcomes == [code, code, 0]
    record = tx(emulator, raw)
    assert record["debits"] == 1
    assert set(record["payRequests"]) == {raw.decode()}


def test_agent_out_of_funds_is_non_final_until_refilled(emulator: EmulatorServer) -> None:
    emulator.center.set_balance(Decimal("100"))
    raw = body(amount_to=Decimal("150"))
    assert run(emulator, lambda c: c.pay(raw)).result == 220
    emulator.center.set_balance(Decimal("1000"))
    assert run(emulator, lambda c: c.pay(raw)).ok


def test_scripted_final_error(emulator: EmulatorServer) -> None:
    emulator.add_fault(method="pay", action="code", result=300)
    raw = body()
    assert run(emulator, lambda c: c.pay(raw)).result == 300
    assert run(emulator, lambda c: c.pay(raw)).result == 300  # and it stays so
    assert tx(emulator, raw)["debits"] == 0


def test_slow_answer_times_out_but_the_request_was_processed(emulator: EmulatorServer) -> None:
    emulator.add_fault(method="pay", action="delay", seconds=1.0)
    raw = body()
    with pytest.raises(TransportError) as error:
        run(emulator, lambda c: c.pay(raw), timeout=0.3)
    assert error.value.kind == "timeout"
    answer = run(emulator, lambda c: c.pay(raw))  # the repeat learns the result
    assert answer.ok and tx(emulator, raw)["debits"] == 1


def test_slow_answer_within_the_timeout_arrives(emulator: EmulatorServer) -> None:
    emulator.add_fault(method="balance", action="delay", seconds=0.3)
    assert run(emulator, lambda c: c.balance()).ok


@pytest.mark.parametrize(("action", "kind"), [("drop", "reset"), ("reset", "reset"),
                                              ("http", "http"), ("broken_json", "bad_json")])
@pytest.mark.parametrize("when", ["before", "after"])
def test_lost_answers_are_non_final_and_the_repeat_settles_once(
        emulator: EmulatorServer, action: str, kind: str, when: str) -> None:
    emulator.add_fault(method="pay", action=action, when=when)
    raw = body()
    with pytest.raises(TransportError) as error:
        run(emulator, lambda c: c.pay(raw))
    assert error.value.kind == kind and not error.value.final
    processed = tx(emulator, raw)["debits"] if when == "after" else 0
    assert processed == (1 if when == "after" else 0)
    answer, final = run(emulator, lambda c: until_final(lambda: c.pay(raw), FAST))
    assert final and answer is not None and answer.ok
    assert tx(emulator, raw)["debits"] == 1


def test_http_502_status_is_reported(emulator: EmulatorServer) -> None:
    emulator.add_fault(method="services", action="http", status=502)
    with pytest.raises(TransportError) as error:
        run(emulator, lambda c: c.services())
    assert error.value.status == 502 and "502" in str(error.value)


def test_fault_matching_a_field_only_hits_that_payment(emulator: EmulatorServer) -> None:
    emulator.add_fault(method="pay", action="code", result=153, match={"account": "9051112233"},
                       times=-1)
    assert run(emulator, lambda c: c.pay(body())).ok
    assert run(emulator, lambda c: c.pay(body(account="9051112233"))).result == 153


def test_connection_refused_is_non_final() -> None:
    with EmulatorServer() as server:
        url = server.url
    async def go() -> None:
        async with ProcessingClient(url, TOKEN, timeout=2) as client:
            await client.balance()
    with pytest.raises(TransportError) as error:
        asyncio.run(go())
    assert error.value.kind == "connect"


def test_wrong_token_is_an_auth_error(emulator: EmulatorServer) -> None:
    with pytest.raises(AuthError):
        run(emulator, lambda c: c.balance(), token="wrong")
    with pytest.raises(AuthError):
        run(emulator, lambda c: c.balance(), token="")


def test_control_endpoint_takes_fault_scripts(emulator: EmulatorServer) -> None:
    request = urllib.request.Request(
        f"{emulator.url}/_emulator/faults", method="POST",
        data=json.dumps({"rules": [{"method": "balance", "action": "http", "status": 503}]}
                        ).encode())
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True
    with pytest.raises(TransportError):
        run(emulator, lambda c: c.balance())
    assert run(emulator, lambda c: c.balance()).ok  # times=1 by default
    bad = urllib.request.Request(f"{emulator.url}/_emulator/faults", method="POST",
                                 data=b'{"rules": [{"action": "explode"}]}')
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(bad, timeout=5)
    assert error.value.code == 400


def test_fault_rule_from_json_numbers() -> None:
    from cashier_app.emulator import FaultRule

    rule = FaultRule.from_dict({"action": "delay", "seconds": Decimal("1.5"), "times": "2"})
    assert rule.seconds == 1.5 and rule.times == 2
    with pytest.raises(ValueError):
        FaultRule.from_dict({"action": "delay", "seconds": -1})
