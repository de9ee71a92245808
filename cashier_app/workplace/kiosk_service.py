"""The terminal's service menu without Qt: what an engineer or a collector does on site, each
action written to the audit under their name — device status, a test print, the validator's
self-description, the collection (инкассация), the payments still in progress, a restart, the
way out to the desktop. The menu opens only to a supervisor or administrator whose PIN the
PIN guard accepted (wrong PINs are audited and locked out as at the desk)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from cashier_app.core.cashiers import Cashier
from cashier_app.core.text import moment, money, plural
from cashier_app.devices.cash_intake import CashIntake
from cashier_app.journal import Journal
from cashier_app.journal.cash_in import Collection
from cashier_app.receipts.printers import PrinterError
from cashier_app.receipts.service import ReceiptService

from .kiosk import KioskHealth

log = logging.getLogger(__name__)
#: the watchdog starts the kiosk again after any exit but 0 (see cli/watchdog.py)
RESTART_EXIT = 75
DESKTOP_EXIT = 0
WHERE = "сервисное меню терминала"


@dataclass
class KioskService:
    journal: Journal
    intake: CashIntake | None
    receipts: ReceiptService | None
    health: KioskHealth
    terminal: str
    person: Cashier | None = None  # who opened the menu (PIN checked)

    def _audit(self, action: str, details: dict[str, object] | None = None) -> None:
        assert self.person is not None
        self.journal.audit(self.person.name, str(self.person.role), action,
                           f"терминал {self.terminal}", details or {})

    def opened(self, person: Cashier) -> None:
        self.person = person
        self._audit("kiosk_service_opened")

    def status(self) -> str:
        self._audit("kiosk_status")
        lines = [f"Терминал № {self.terminal}"]
        acceptor = self.intake.acceptor if self.intake is not None else None
        identity = acceptor.identity if acceptor is not None else None
        if identity is not None:
            lines.append(f"Купюроприёмник: {identity.part_number}, № {identity.serial_number}"
                         f" — {self.health.acceptor_problem or 'исправен'}")
        else:
            lines.append("Купюроприёмник: " + (self.health.acceptor_problem or "не на связи"))
        lines.append("Принтер: " + (self.health.printer_problem or "исправен"))
        lines.append("Процессинг: " + ("нет связи" if self.health.offline else "на связи"))
        cassette = self.journal.cassette()
        count = sum(cassette.values())
        total = sum((amount * number for amount, number in cassette.items()), Decimal("0"))
        lines.append(f"В кассете: {count} {plural(count, 'купюра', 'купюры', 'купюр')} на "
                     f"{money(total)}")
        return "\n".join(lines)

    async def test_print(self) -> str:
        self._audit("kiosk_test_print")
        if self.receipts is None:
            return "Принтер чеков не настроен"
        try:
            text = await self.receipts.print_test_page()
        except PrinterError as error:
            self.health.printer(str(error))
            return str(error)
        self.health.printer(None)
        return text

    def acceptor_test(self) -> str:
        self._audit("kiosk_acceptor_test")
        acceptor = self.intake.acceptor if self.intake is not None else None
        if acceptor is None or acceptor.identity is None:
            return "Купюроприёмник не отвечает"
        bills = ", ".join(money(b.amount) for b in sorted(acceptor.bill_table,
                                                           key=lambda b: b.amount))
        return (f"Модель: {acceptor.identity.part_number}\nСерийный номер: "
                f"{acceptor.identity.serial_number}\nКупюры: {bills}\nСостояние: "
                f"{self.health.acceptor_problem or 'готов к приёму'}")

    async def collect(self) -> tuple[Collection, str]:
        """The cassette taken out: counted into a collection (journaled, sealed, audited)
        and its slip printed where a printer is."""
        assert self.person is not None
        device = self.intake.device if self.intake is not None else None
        collection = self.journal.collect(self.person.name, device)
        self._audit("encashment", {"collection": collection.id, "bills": collection.bills,
                                   "total": format(collection.total, "f")})
        text = (f"Инкассация № {collection.id}: {collection.bills} "
                f"{plural(collection.bills, 'купюра', 'купюры', 'купюр')} на "
                f"{money(collection.total)}")
        if self.receipts is not None:
            try:
                await self.receipts.print_collection(collection)
                text += ". Квитанция напечатана"
            except PrinterError as error:
                text += f". Квитанция не напечатана: {error}"
        return collection, text

    def pending(self) -> str:
        self._audit("kiosk_pending")
        records = self.journal.unsettled()
        if not records:
            return "Платежей в обработке нет"
        lines = [f"В обработке: {len(records)}"]
        for record in records[:8]:
            lines.append(f"№ {record.agent_transaction_id}, {moment(record.created_at)}, "
                         f"{record.service_name}, {money(record.amount_from)}")
        return "\n".join(lines)

    def leave(self, restart: bool) -> int:
        """The exit code the kiosk ends with: the watchdog starts it again after a restart,
        not after the way out to the desktop."""
        self._audit("kiosk_restart" if restart else "kiosk_exit")
        return RESTART_EXIT if restart else DESKTOP_EXIT
