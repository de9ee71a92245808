"""Two programs on one journal with card and wallet payments in flight: a program still
running keeps its own (its card link is not cancelled, its lost withdrawal not looked at by
the other); once it is gone, the other takes them over and settles each once — the
gateway's and the wallet service's books show one charge, one debit."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

from cashier_app.card_api.client import CardClient
from cashier_app.core.states import State
from cashier_app.emulator import EmulatorServer
from cashier_app.emulator.card import CardGateway
from cashier_app.emulator.wallet import WalletServer
from cashier_app.engine.methods.card import CardSettings
from cashier_app.engine.methods.wallet import WalletTiming
from cashier_app.wallet_api.client import WalletClient
from cashier_app.workplace.wallet_desk import WalletDesk
from tests.integration.engine.test_two_programs import Program

CARD_TOKEN = "two-programs-card"
PARTNER = {"client_id": "two-programs", "client_secret": "two-programs-secret",
           "partner_id": "two"}


class Point(Program):
    """A program with cards and wallets on."""

    def __init__(self, emulator: EmulatorServer, gateway: CardGateway, wallets: WalletServer,
                 folder: Path, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(emulator, folder, loop)
        self.card_client = CardClient(gateway.url, CARD_TOKEN, timeout=3)
        self.wallet_client = WalletClient(wallets.url, timeout=3, **PARTNER)
        self.engine.use_card(self.card_client, CardSettings({"*": "109-5804-1"},
                                                            poll_seconds=0.05))
        self.engine.use_wallet(self.wallet_client, WalletTiming(
            poll_seconds=0.05, reconcile_minutes=5, skew_minutes=1))

    def end(self) -> None:
        self.run(self.card_client.aclose())
        self.run(self.wallet_client.aclose())
        super().end()


def test_in_flight_card_and_wallet_payments_pass_to_the_other_program_only_when_it_is_gone(
        emulator: EmulatorServer, tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    with CardGateway(token=CARD_TOKEN, hold_seconds=0.1) as gateway, \
            WalletServer(**PARTNER) as wallets:
        window = Point(emulator, gateway, wallets, tmp_path, loop)
        checked = window.check("9051120001")
        plan = window.engine.plan(checked, amount=Decimal("100.00"))
        link = window.run(window.engine.start_card(checked.agent_transaction_id, plan.money,
                                                   plan.extras))
        assert link.state is State.QR_WAITING and link.card_reg_pay_num
        desk = WalletDesk(window.engine, actor="Тестова Анна", role="cashier")
        wallet_id = window.run(desk.register("9161230001")).wallet_id
        refill = window.run(desk.refill(wallet_id, "500.00"))
        assert wallets.confirm_refill(refill.qr_payload)
        assert window.run(window.engine.scheduler.settle(refill.agent_transaction_id,
                                                         wait=5)).state is State.PAID
        bank = window.run(desk.banks())[0]
        wallets.add_fault(method="withdrawal", action="drop", when="after")
        lost = window.run(desk.withdraw(wallet_id, bank.bank_identifier, "200.00"))
        assert lost.state is State.PAYING

        # a second program starts on the same journal while the window is alive
        command = Point(emulator, gateway, wallets, tmp_path, loop)
        assert command.run(command.engine.scheduler.recover(wait=0)) == []
        kept = command.journal.get(link.agent_transaction_id)
        assert kept.cancel_requested_at is None  # its link is still on the window's screen
        assert kept.owner == window.lease.owner
        assert command.journal.get(lost.agent_transaction_id).owner == window.lease.owner

        # the person pays the link; the window is killed before it sees it
        gateway.pay(link.card_reg_pay_num, "4111111111111111", "123")
        window.end()
        command.lease._seen.clear()  # its "alive" answer of a moment ago is not reused
        recovered = {r.agent_transaction_id: r for r in command.run(
            command.engine.scheduler.recover(wait=5))}
        assert recovered[link.agent_transaction_id].state is State.PAID
        assert recovered[lost.agent_transaction_id].state is State.PAID  # found in the report
        assert gateway.books()[link.card_reg_pay_num]["charges"] == 1
        debits = [op for op in wallets.books()[wallet_id]["operations"]
                  if op["type"] == "DEBIT"]
        assert len(debits) == 1
        assert Decimal(wallets.books()[wallet_id]["balance"]) == Decimal("300.00")
        command.end()
    loop.close()
