"""Driving the real kiosk window on an X server (Xvfb) the way a finger does: ``xdotool``
moves the pointer to a button and clicks. Where the buttons are, the kiosk itself writes to
its UI map (``CASHIER_UI_MAP``: the screen shown, its title and message, every button a finger
could touch and its place)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Finger:
    display: str
    ui_map: Path

    def screen(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.ui_map.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {"screen": "", "buttons": [], "title": "", "message": ""}

    def wait_screen(self, name: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if shown["screen"] == name:
                return shown
            assert time.monotonic() < deadline, f"not on {name}: {shown}"
            time.sleep(0.1)

    def touch(self, text: str, window: str = "", timeout: float = 20.0) -> None:
        """Click the button whose first line is ``text`` (in a window whose title has
        ``window``), once it is on the screen and enabled."""
        deadline = time.monotonic() + timeout
        while True:
            for button in self.screen()["buttons"]:
                if button["text"].split("\n")[0] == text and window in button["window"]:
                    subprocess.run(["xdotool", "mousemove", str(button["x"]), str(button["y"]),
                                    "click", "1"], env={**os.environ, "DISPLAY": self.display},
                                   check=True, capture_output=True)
                    time.sleep(0.25)  # the click is handled, the map rewritten
                    return
            assert time.monotonic() < deadline, (
                f"no button {text!r}: {[b['text'] for b in self.screen()['buttons']]}")
            time.sleep(0.1)

    def type_digits(self, digits: str) -> None:
        for digit in digits:
            self.touch(digit)
