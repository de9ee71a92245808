"""The dialogs of the «Кошелёк» page: open a wallet, raise its identification, refill it by
СБП, pay a ТСП from it, withdraw to a bank, change its limits, close it — each an
:class:`~.action_dialog.ActionDialog` (asks twice, errors at their fields)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from cashier_app.core.text import money
from cashier_app.wallet_api.errors import WalletInputError
from cashier_app.wallet_api.models import Bank, Identification, Limits
from cashier_app.wallet_api.requests import LIMIT_TYPES, check_phone, check_tsp
from cashier_app.workplace.wallet_desk import WalletCard, WalletDesk

from .action_dialog import (
    LEVEL_WORDS,
    TYPE_WORDS,
    ActionDialog,
    amount_edit,
    error_text,
    typed_amount,
    wallet_title,
)


class RegisterDialog(ActionDialog):
    """Open a new wallet for a phone; the level above 0 only with the passport seen."""

    ACTION = "Открыть кошелёк"

    def __init__(self, desk: WalletDesk, phone: str = "", parent: QWidget | None = None
                 ) -> None:
        from cashier_app.journal import WalletEntry

        blank = WalletCard(WalletEntry("", phone, None, None, None, None, None, None, "", None))
        super().__init__(desk, blank, "Новый кошелёк", parent)
        self.about.setText(self.tr("Кошелёк открывается на номер телефона клиента"))
        self.phone = QLineEdit(phone)
        self.phone.setObjectName("walletPhoneEdit")
        self.phone.setPlaceholderText("9051234567")
        self.add_field("Телефон", self.phone, ("phone",))
        self.level = QComboBox()
        for level in Identification:
            self.level.addItem(LEVEL_WORDS[level], int(level))
        self.add_field("Идентификация", self.level, ("identification", "level"))
        self.passport = QCheckBox(self.tr("Паспорт проверен"))
        self.passport_error = self.add_field("", self.passport, ("document",))

    def question(self) -> str:
        phone = check_phone(self.phone.text())
        level = int(self.level.currentData())
        if level and not self.passport.isChecked():
            raise WalletInputError("document", "Для уровня выше 0 проверьте паспорт клиента "
                                               "и отметьте «Паспорт проверен»")
        return self.tr("Открыть кошелёк на телефон {0}, идентификация: {1}?").format(
            phone, Identification(level).title)

    async def act(self) -> Any:
        level = int(self.level.currentData())
        return await self.desk.register(self.phone.text(), level or None,
                                        document_checked=self.passport.isChecked())


class IdentifyDialog(ActionDialog):
    """The identification level (УПРИД and full): the point answers for the passport check,
    so 1 and 2 need «Паспорт проверен» ticked — it goes to the audit."""

    ACTION = "Изменить идентификацию"

    def __init__(self, desk: WalletDesk, card: WalletCard, parent: QWidget | None = None
                 ) -> None:
        super().__init__(desk, card, "Идентификация клиента", parent)
        self.level = QComboBox()
        self.level.setObjectName("walletLevel")
        for level in Identification:
            self.level.addItem(LEVEL_WORDS[level], int(level))
        current = card.info.identification if card.info is not None else None
        current = current or card.entry.identification
        if current in Identification.__members__:  # the next level up is the usual ask
            self.level.setCurrentIndex(min(int(Identification.of(current)) + 1, 2))
        self.add_field("Уровень", self.level, ("level", "identification"))
        self.passport = QCheckBox(self.tr("Паспорт проверен: данные сверены с документом "
                                          "клиента"))
        self.passport.setObjectName("passportChecked")
        self.passport_error = self.add_field("", self.passport, ("document",))

    def question(self) -> str:
        level = int(self.level.currentData())
        if level and not self.passport.isChecked():
            raise WalletInputError("document", "Сначала проверьте паспорт клиента и отметьте "
                                               "«Паспорт проверен»")
        return self.tr("Установить уровень «{0}»? Проверку паспорта запишем в аудит от "
                       "вашего имени").format(Identification(level).title)

    async def act(self) -> Any:
        return await self.desk.identify(self.wallet_id, int(self.level.currentData()),
                                        document_checked=self.passport.isChecked())


class RefillDialog(ActionDialog):
    """An СБП refill: the amount; the link it answers with is shown as a QR (not cash)."""

    ACTION = "Получить ссылку СБП"

    def __init__(self, desk: WalletDesk, card: WalletCard, parent: QWidget | None = None
                 ) -> None:
        super().__init__(desk, card, "Пополнение по СБП", parent)
        self.amount = amount_edit("walletAmount")
        self.add_field("Сумма", self.amount, ("amount",))
        note = QLabel(self.tr("Клиент подтвердит пополнение в приложении своего банка. Это "
                              "не наличные: в кассу деньги не поступают."))
        note.setObjectName("hint")
        note.setWordWrap(True)
        self.form.addRow(note)

    def question(self) -> str:
        return self.tr("Пополнить {0} на {1} через СБП?").format(
            wallet_title(self.card), money(typed_amount(self.amount.text())))

    async def act(self) -> Any:
        return await self.desk.refill(self.wallet_id, typed_amount(self.amount.text()))


class PayDialog(ActionDialog):
    """A payment from the wallet to a ТСП (the recipient's id)."""

    ACTION = "Оплатить"

    def __init__(self, desk: WalletDesk, card: WalletCard, parent: QWidget | None = None
                 ) -> None:
        super().__init__(desk, card, "Оплата с кошелька", parent)
        self.amount = amount_edit("walletAmount")
        self.add_field("Сумма", self.amount, ("amount",))
        self.tsp = QLineEdit()
        self.tsp.setObjectName("walletTsp")
        self.tsp.setPlaceholderText(self.tr("идентификатор получателя"))
        self.add_field("Получатель (ТСП)", self.tsp, ("tsp", "tcp"))
        if card.info is not None:
            self.about.setText(self.about.text() + self.tr(", на балансе {0}").format(
                money(card.info.balance)))

    def question(self) -> str:
        amount = typed_amount(self.amount.text())
        check_tsp(self.tsp.text())
        return self.tr("Списать {0} с {1} в пользу {2}?").format(
            money(amount), wallet_title(self.card, genitive=True), self.tsp.text().strip())

    async def act(self) -> Any:
        return await self.desk.pay(self.wallet_id, typed_amount(self.amount.text()),
                                   self.tsp.text())


class WithdrawDialog(ActionDialog):
    """A withdrawal to a bank from the service's list (asked when the dialog opens)."""

    ACTION = "Вывести"

    def __init__(self, desk: WalletDesk, card: WalletCard, parent: QWidget | None = None
                 ) -> None:
        super().__init__(desk, card, "Вывод в банк", parent)
        self.banks: tuple[Bank, ...] = ()
        self.bank = QComboBox()
        self.bank.setObjectName("walletBank")
        self.bank.addItem(self.tr("Загружаем список банков…"), "")
        self.bank.setEnabled(False)
        self.add_field("Банк", self.bank, ("bank", "bankIdentifier"))
        self.amount = amount_edit("walletAmount")
        self.add_field("Сумма", self.amount, ("amount",))
        if card.info is not None:
            self.about.setText(self.about.text() + self.tr(", на балансе {0}").format(
                money(card.info.balance)))
        self.loading: asyncio.Future[None] = asyncio.ensure_future(self.load_banks())

    async def load_banks(self) -> None:
        try:
            banks = await self.desk.banks()
        except Exception as error:  # no list: nothing to choose, the reason is said
            self.bank.setItemText(0, self.tr("Список банков не получен"))
            self._say(error_text(error), "error")
            return
        self.banks = tuple(banks)
        self.bank.clear()
        self.bank.addItem(self.tr("— выберите банк —"), "")
        for bank in self.banks:
            self.bank.addItem(f"{bank.name}" + (f" (БИК {bank.bic})" if bank.bic else ""),
                              bank.bank_identifier)
        self.bank.setEnabled(True)

    def question(self) -> str:
        identifier = str(self.bank.currentData() or "")
        if not identifier:
            raise WalletInputError("bank", "Выберите банк из списка")
        amount = typed_amount(self.amount.text())
        bank = next((b.name for b in self.banks if b.bank_identifier == identifier), "")
        return self.tr("Вывести {0} с {1} в банк «{2}»?").format(
            money(amount), wallet_title(self.card, genitive=True), bank)

    async def act(self) -> Any:
        return await self.desk.withdraw(self.wallet_id, str(self.bank.currentData()),
                                        typed_amount(self.amount.text()))


class CloseDialog(ActionDialog):
    """Close the wallet: nothing to type, the question says what it means."""

    ACTION = "Закрыть кошелёк"

    def __init__(self, desk: WalletDesk, card: WalletCard, parent: QWidget | None = None
                 ) -> None:
        super().__init__(desk, card, "Закрытие кошелька", parent)
        balance = card.info.balance if card.info is not None else card.entry.balance
        text = self.tr("После закрытия операции по кошельку невозможны.")
        if balance:
            text += self.tr(" На балансе {0}: сначала выведите деньги в банк или оплатите "
                            "ими услугу").format(money(balance))
        warning = QLabel(text)
        warning.setWordWrap(True)
        self.form.addRow(warning)

    def question(self) -> str:
        return self.tr("Закрыть {0}? Это нельзя отменить").format(wallet_title(self.card))

    async def act(self) -> Any:
        return await self.desk.close(self.wallet_id)


class LimitsDialog(ActionDialog):
    """The wallet's limits: for each operation type a one-time and a monthly limit and
    whether it is allowed; only what was changed is sent."""

    ACTION = "Сохранить лимиты"

    def __init__(self, desk: WalletDesk, card: WalletCard, parent: QWidget | None = None
                 ) -> None:
        super().__init__(desk, card, "Лимиты кошелька", parent)
        self.limits: Limits | None = card.limits
        grid = QGridLayout()
        for column, title in enumerate(("Операция", "Разовый", "В месяц", "")):
            head = QLabel(self.tr(title))
            head.setObjectName("requiredLabel")
            grid.addWidget(head, 0, column)
        self.grid_error = QLabel("")
        self.grid_error.setObjectName("fieldError")
        self.grid_error.setWordWrap(True)
        self.grid_error.hide()
        self.edits: dict[str, tuple[QLineEdit, QLineEdit, QCheckBox]] = {}
        self.start: dict[str, tuple[str, str, bool]] = {}
        for row, kind in enumerate(LIMIT_TYPES, start=1):
            now = card.limits.operations.get(kind) if card.limits is not None else None
            one, month = amount_edit(f"limit{kind}OneTime"), amount_edit(f"limit{kind}Month")
            allowed = QCheckBox(self.tr("разрешено"))
            one.setText(_limit_text(now.one_time if now else None))
            month.setText(_limit_text(now.month if now else None))
            allowed.setChecked(now.enabled if now else True)
            grid.addWidget(QLabel(self.tr(TYPE_WORDS[kind])), row, 0)
            grid.addWidget(one, row, 1)
            grid.addWidget(month, row, 2)
            grid.addWidget(allowed, row, 3)
            for widget in (one, month, allowed):
                self._follow(widget, self.grid_error)
            self.edits[kind] = (one, month, allowed)
            self.start[kind] = (one.text(), month.text(), allowed.isChecked())
        self.form.addRow(grid)
        self.form.addRow(self.grid_error)
        for name in ("operationlimits", "onetimelimit", "monthlimit", "enabled",
                     "operationtype", "one_time", "month", *(k.lower() for k in LIMIT_TYPES)):
            self.field_errors[name] = self.grid_error

    def changes(self) -> dict[str, dict[str, Any]]:
        changed: dict[str, dict[str, Any]] = {}
        for kind, (one, month, allowed) in self.edits.items():
            before = self.start[kind]
            given: dict[str, Any] = {}
            for key, edit, old in (("oneTimeLimit", one, before[0]),
                                   ("monthLimit", month, before[1])):
                if edit.text().strip() != old.strip():
                    try:
                        given[key] = typed_amount(edit.text()) if edit.text().strip() else None
                    except WalletInputError:
                        raise WalletInputError(key, f"{TYPE_WORDS[kind]}: лимит — сумма, "
                                                    "например 15000,00") from None
                    if given[key] is None:
                        raise WalletInputError(key, f"{TYPE_WORDS[kind]}: «без лимита» "
                                                    "установить нельзя, укажите сумму")
            if allowed.isChecked() != before[2]:
                given["enabled"] = allowed.isChecked()
            if given:
                changed[kind] = given
        if not changed:
            raise WalletInputError("operationLimits", "Ничего не изменено")
        return changed

    def question(self) -> str:
        parts = []
        for kind, given in self.changes().items():
            words = []
            if "oneTimeLimit" in given:
                words.append(self.tr("разовый {0}").format(money(given["oneTimeLimit"])))
            if "monthLimit" in given:
                words.append(self.tr("в месяц {0}").format(money(given["monthLimit"])))
            if "enabled" in given:
                words.append(self.tr("разрешено") if given["enabled"] else self.tr("запрещено"))
            parts.append(f"{TYPE_WORDS[kind]}: {', '.join(words)}")
        return self.tr("Изменить лимиты — {0}?").format("; ".join(parts))

    async def act(self) -> Any:
        return await self.desk.set_limits(self.wallet_id, self.changes())


def _limit_text(value: Decimal | None) -> str:
    return "" if value is None else money(value, rub=False).replace("\u00a0", "").replace(
        " ", "")
