"""The supervisor's audit (who did what, the last month) and the journal's integrity check.

Audit details are stored as the program wrote them (state names, ``1510.00``, ISO times); the
table shows them as people read them: «состояние: оплачен», «ожидалось: 1 510,00 ₽»,
«заблокирован до: 01.12.2026 14:20».
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget

from cashier_app.core.cashiers import ROLE_TITLES
from cashier_app.core.states import STATE_TITLES
from cashier_app.core.text import moment, money
from cashier_app.journal.chain import Verification, verify
from cashier_app.ui.widgets.tables import Column, fill, fitted_table
from cashier_app.workplace import login

from .journal_model import with_reader

if TYPE_CHECKING:
    from .window import SupervisorWindow

ACTION_TITLES = {
    "supervisor_login": "вход в окно старшего", "shift_close": "закрытие смены",
    "reprint": "повторная печать", "void_attempt": "попытка аннулирования",
    "check_now": "проверка платежа", "export": "выгрузка журнала",
    "verify": "проверка целостности", "settings_change": "изменение настроек",
    "journal_new": "новый журнал", **login.ACTION_TITLES,
}
DETAIL_TITLES = {
    "ok": "журнал цел", "problems": "нарушений", "rows": "записей", "receipt": "чек №",
    "printed": "напечатан", "message": "итог", "before": "было", "after": "стало",
    "result": "код", "state": "состояние", "voided": "аннулирован", "format": "формат",
    "payments": "платежей", "cashier": "кассир", "expected": "ожидалось",
    "counted": "пересчитано", "difference": "расхождение", "failures": "неверных подряд",
    "retry_at": "следующая попытка", "locked_until": "заблокирован до",
    "after_failures": "после неверных", "os_user": "пользователь ОС", "command": "команда",
    "where": "где", "previous": "прежний файл", "last_issued_id": "последний номер",
    "reason": "причина",
}
_STATES = ("state", "before", "after")
STATE_WORDS = {str(state): title for state, title in STATE_TITLES.items()}
_AMOUNTS = ("expected", "counted", "difference")
_MOMENTS = ("retry_at", "locked_until")
#: The command-line commands that check a PIN, by what they do.
COMMAND_WORDS = {"pay": "платёж", "shift open": "открытие смены",
                 "shift close": "закрытие смены"}
COLUMNS = (Column("Время", 150), Column("Кто", 170, 100), Column("Роль", 140, 90),
           Column("Действие", 220, 120), Column("Что", 180, 100),
           Column("Подробности", 400, 120, stretch=True))


def detail_value(key: str, value: Any) -> str:
    """One detail's value as people read it."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if key in _STATES and str(value) in STATE_WORDS:
        return STATE_WORDS[str(value)]
    if key in _AMOUNTS:
        try:
            return money(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if key in _MOMENTS:
        return moment(str(value))
    if key == "format":
        return str(value).upper()
    if key == "command":
        return COMMAND_WORDS.get(str(value), str(value))
    return str(value)


def detail_text(details: dict[str, Any]) -> str:
    """An audit entry's details in Russian words."""
    return "; ".join(f"{DETAIL_TITLES.get(key, key)}: {detail_value(key, value)}"
                     for key, value in details.items() if value not in (None, ""))


class AuditView(QWidget):
    """Who did what here (the last month), and the integrity check of the whole journal."""

    def __init__(self, window: SupervisorWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.journal = window.journal
        self.table = fitted_table(COLUMNS, "auditTable")
        self.verify_button = QPushButton("Проверить целостность журнала")
        self.verify_button.setObjectName("verifyButton")
        self.verify_button.clicked.connect(self.start_verify)
        self.result = QLabel("Целостность не проверялась в этом окне")
        self.result.setObjectName("verifyResult")
        self.result.setWordWrap(True)
        self.problems = QListWidget()
        self.problems.setObjectName("verifyProblems")
        self.problems.setWordWrap(True)
        self.problems.hide()
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        row.addWidget(self.result, 1)
        column = QVBoxLayout(self)
        column.addWidget(self.table, 2)
        column.addLayout(row)
        column.addWidget(self.problems, 1)
        self.task: asyncio.Future[Verification] | None = None
        self.reload()

    def reload(self) -> None:
        today = self.window_.today()
        entries = self.journal.audit_entries(today - timedelta(days=31), today)
        rows = []
        for entry in entries:
            role = ROLE_TITLES.get(entry.role, entry.role)  # type: ignore[call-overload]
            rows.append([moment(entry.at), entry.actor, role,
                         ACTION_TITLES.get(entry.action, entry.action), entry.target,
                         detail_text(entry.details)])
        fill(self.table, rows)

    def start_verify(self) -> asyncio.Future[Verification]:
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self.verify())
        return self.task

    async def verify(self) -> Verification:
        self.verify_button.setEnabled(False)
        self.result.setText("Проверка… (журнал за всё время)")
        self.result.setProperty("kind", "")
        try:
            outcome: Verification = await asyncio.to_thread(with_reader, self.journal.path,
                                                              verify)
        finally:
            self.verify_button.setEnabled(True)
        self.result.setText(outcome.summary())
        self.result.setProperty("kind", "ok" if outcome.ok else "error")
        self.result.style().polish(self.result)
        self.problems.clear()
        for problem in outcome.problems[:1000]:
            self.problems.addItem(problem.message)
        if len(outcome.problems) > 1000:
            self.problems.addItem(f"… и ещё {len(outcome.problems) - 1000}")
        self.problems.setVisible(not outcome.ok)
        self.window_.audit("verify", "журнал", {"ok": outcome.ok,
                                                "problems": len(outcome.problems),
                                                "rows": outcome.rows})
        self.reload()
        return outcome
