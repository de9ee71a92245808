"""Printer backends: network (TCP 9100), USB, serial, file/device — through python-escpos.

Everything here blocks: it runs in a worker thread (see ``service.py``), never on the UI's
loop. Every failure becomes a :class:`PrinterError` whose text tells the cashier what to do.

Before and after the receipt the printer is asked for its paper sensor (``DLE EOT 4``, a
real-time command printers answer even while busy): no answer means a printer that is off,
hung or not a printer; "paper end" means no receipt. ``printer.status_check = false`` turns this
off for a printer that never answers.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from typing import Any

from cashier_app.errors import UserFacingError

from .escpos_render import escpos_modules

log = logging.getLogger(__name__)

KINDS = ("none", "network", "usb", "serial", "file")
PAPER_END = 0x60  # bits 5-6 of the DLE EOT 4 answer: roll paper end sensor
STATUS_WAIT = 3.0  # seconds to wait for the status answer at most


class PrinterError(UserFacingError):
    """Printing failed; ``str()`` is the Russian message for the cashier."""


@dataclass(frozen=True)
class PrinterConfig:
    kind: str = "none"
    address: str = ""
    profile: str = "default"
    codepage: int = 17
    columns: int = 42
    timeout: float = 5.0
    cut: bool = True
    status_check: bool = True
    baudrate: int = 9600

    @property
    def configured(self) -> bool:
        return self.kind != "none"

    def describe(self) -> str:
        where = {"network": "сетевой", "usb": "USB", "serial": "COM-порт", "file": "файл"}
        return f"{where.get(self.kind, self.kind)} {self.address}".strip()


def network_address(address: str) -> tuple[str, int]:
    host, sep, port = address.strip().rpartition(":")
    if not sep:
        return address.strip(), 9100
    if not port.isdigit() or not host:
        raise ValueError("адрес сетевого принтера: хост или хост:порт (192.168.1.50:9100)")
    return host.strip("[]"), int(port)


def usb_ids(address: str) -> tuple[int, int]:
    vendor, sep, product = address.strip().partition(":")
    try:
        if not sep:
            raise ValueError
        return int(vendor, 16), int(product, 16)
    except ValueError:
        raise ValueError("адрес USB-принтера: VID:PID в шестнадцатеричном виде (0416:5011)"
                         ) from None


def address_problem(kind: str, address: str) -> str | None:
    """A problem with ``address`` for ``kind`` (a Russian text), or None."""
    try:
        if kind == "network":
            network_address(address)
        elif kind == "usb":
            usb_ids(address)
        elif kind in ("serial", "file") and not address.strip():
            raise ValueError("укажите устройство или файл (например /dev/ttyUSB0, COM3, "
                             "/dev/usb/lp0)")
    except ValueError as error:
        return str(error)
    if kind == "network" and not address.strip():
        return "укажите адрес сетевого принтера (192.168.1.50 или 192.168.1.50:9100)"
    return None


def _open(config: PrinterConfig) -> Any:
    escpos_modules()
    from escpos import printer as backends

    timeout = config.timeout
    if config.kind == "network":
        host, port = network_address(config.address)
        device = backends.Network(host, port=port, timeout=timeout, profile=config.profile)
    elif config.kind == "usb":
        vendor, product = usb_ids(config.address)
        device = backends.Usb(vendor, product, timeout=int(timeout * 1000),
                              profile=config.profile)
    elif config.kind == "serial":
        device = backends.Serial(config.address, baudrate=config.baudrate, timeout=timeout,
                                 profile=config.profile)
    elif config.kind == "file":
        device = backends.File(config.address, profile=config.profile)
    else:
        raise PrinterError("Принтер чеков не настроен (printer.kind в настройках)")
    device.open()  # python-escpos raises DeviceNotFoundError (or the backend's own error)
    return device


def _paper_status(device: Any, config: PrinterConfig) -> int | None:
    """The DLE EOT 4 answer byte, or None when the backend cannot read."""
    if config.kind == "file":
        return None
    sock = device.device if config.kind == "network" else None
    if sock is not None:
        sock.settimeout(min(config.timeout, STATUS_WAIT))
    try:
        device._raw(b"\x10\x04\x04")
        answer = device._read()
    finally:
        if sock is not None:
            sock.settimeout(config.timeout)
    if not answer:
        raise PrinterError("Принтер закрыл соединение, не ответив: проверьте, что по этому "
                           "адресу принтер чеков")
    return int(answer[-1])


def _check_paper(device: Any, config: PrinterConfig, *, after: bool) -> None:
    status = _paper_status(device, config)
    if status is not None and status & PAPER_END == PAPER_END:
        if after:
            raise PrinterError("В принтере кончилась бумага во время печати. Вставьте новый "
                               "рулон и напечатайте чек ещё раз")
        raise PrinterError("В принтере нет бумаги. Вставьте рулон и напечатайте чек ещё раз")


def _message(config: PrinterConfig, error: BaseException) -> str:
    """What went wrong, for the cashier."""
    text = str(error)
    where = config.describe()
    if isinstance(error, TimeoutError | socket.timeout):
        return (f"Принтер ({where}) не отвечает. Проверьте, что он включён, на связи и "
                "в нём есть бумага, и напечатайте чек ещё раз")
    if isinstance(error, ConnectionRefusedError) or "refused" in text.lower():
        return (f"Принтер ({where}) не принимает соединение. Проверьте, что он включён и "
                "подключён к сети, и напечатайте чек ещё раз")
    if isinstance(error, FileNotFoundError) or "no such file" in text.lower():
        return f"Устройство принтера {config.address} не найдено: проверьте кабель и настройки"
    if isinstance(error, PermissionError) or "permission" in text.lower() or "access" in (
            text.lower()):
        return (f"Нет доступа к принтеру {config.address}: у программы нет прав на "
                "устройство (см. README, «Принтер чеков»)")
    name = type(error).__name__
    if "NotFound" in name or "not found" in text.lower():
        return (f"Принтер ({where}) не найден. Проверьте, что он включён и подключён, и "
                "напечатайте чек ещё раз")
    if "No module named" in text or ("usb" in name.lower() and "backend" in text.lower()):
        return f"Для принтера {where} не хватает системной библиотеки: {text}"
    return f"Принтер ({where}) не напечатал чек: {text}. Проверьте его и напечатайте ещё раз"


def _root(error: BaseException) -> BaseException:
    """The OS error under a backend's wrapper (python-escpos wraps them in its own)."""
    for _ in range(5):
        inner = error.__cause__ or error.__context__
        if inner is None:
            break
        error = inner
    return error


def probe(config: PrinterConfig) -> str | None:
    """Whether the printer could print now, without printing: opened, and its paper sensor
    asked where it can be (``DLE EOT 4``). The reason it could not (Russian), or None. A
    terminal asks this before it takes money, so that nobody pays without getting a
    receipt."""
    if not config.configured:
        return "Принтер чеков не настроен (printer.kind в настройках)"
    device = None
    try:
        device = _open(config)
        if config.status_check:
            _check_paper(device, config, after=False)
    except PrinterError as error:
        return str(error)
    except Exception as error:  # every backend has its own errors
        log.warning("printer %s probe: %s: %s", config.describe(), type(error).__name__, error)
        return _message(config, _root(error))
    finally:
        if device is not None:
            try:
                device.close()
            except Exception as error:
                log.debug("printer close: %s", error)
    return None


def send(config: PrinterConfig, data: bytes) -> None:
    """Send one receipt's bytes. Raises PrinterError."""
    if not config.configured:
        raise PrinterError("Принтер чеков не настроен (printer.kind в настройках)")
    device = None
    try:
        device = _open(config)
        if config.status_check:
            _check_paper(device, config, after=False)
        device._raw(data)
        if config.status_check:
            _check_paper(device, config, after=True)
    except PrinterError:
        raise
    except Exception as error:  # every backend has its own errors (socket, usb.core, serial)
        log.warning("printer %s: %s: %s", config.describe(), type(error).__name__, error)
        raise PrinterError(_message(config, _root(error))) from error
    finally:
        if device is not None:
            try:
                device.close()
            except Exception as error:  # a half-open device: nothing more to do
                log.debug("printer close: %s", error)
