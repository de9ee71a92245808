"""Typed sections handed down to the layers that must not read settings themselves: the
receipt's texts and the printer, resolved against its python-escpos profile (so that
``receipts`` never imports ``settings``)."""

from __future__ import annotations

from cashier_app.receipts.document import ReceiptSettings
from cashier_app.receipts.escpos_render import profile_facts
from cashier_app.receipts.printers import PrinterConfig, address_problem

from . import keys as cfg
from .loader import Settings
from .registry import ConfigError


def receipt_settings(settings: Settings) -> ReceiptSettings:
    header: list[str] = settings[cfg.RECEIPT_HEADER]
    footer: list[str] = settings[cfg.RECEIPT_FOOTER]
    return ReceiptSettings(
        agent_name=settings[cfg.RECEIPT_AGENT_NAME],
        agent_inn=settings[cfg.RECEIPT_AGENT_INN],
        agent_address=settings[cfg.RECEIPT_AGENT_ADDRESS],
        point_address=settings[cfg.RECEIPT_POINT_ADDRESS],
        support_phone=settings[cfg.RECEIPT_SUPPORT_PHONE],
        header=tuple(header),
        footer=tuple(footer),
        qr_template=settings[cfg.RECEIPT_QR],
    )


def printer_config(settings: Settings) -> PrinterConfig:
    """The printer as configured, its code page slot and width filled from the profile.
    Raises ConfigError naming the key at fault."""
    kind = settings[cfg.PRINTER_KIND]
    address = settings[cfg.PRINTER_ADDRESS]
    profile = settings[cfg.PRINTER_PROFILE]
    try:
        facts = profile_facts(profile)
    except KeyError:
        raise ConfigError(f"Настройки: printer.profile: профиль «{profile}» неизвестен "
                          "(список: cashier-app printer profiles)") from None
    codepage = settings[cfg.PRINTER_CODEPAGE]
    if codepage < 0:
        if facts.codepage is None:
            raise ConfigError(f"Настройки: в профиле «{profile}» нет CP866: укажите "
                              "printer.codepage — номер страницы CP866 из инструкции принтера")
        codepage = facts.codepage
    if kind != "none":
        problem = address_problem(kind, address)
        if problem:
            raise ConfigError(f"Настройки: printer.address: {problem}")
    return PrinterConfig(
        kind=kind, address=address, profile=profile, codepage=codepage,
        columns=settings[cfg.PRINTER_COLUMNS] or facts.columns,
        timeout=settings[cfg.PRINTER_TIMEOUT], cut=settings[cfg.PRINTER_CUT],
        status_check=settings[cfg.PRINTER_STATUS_CHECK],
        baudrate=settings[cfg.PRINTER_BAUDRATE])
