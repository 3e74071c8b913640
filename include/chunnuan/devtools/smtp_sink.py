"""A real SMTP server on loopback that stores every message it receives as an .eml file.

The local stand-in for the office mail server: the demo and the tests send real SMTP to it
(`chunnuan smtp-sink --dir var/outbox`), and anyone can open the .eml files in a mail program.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path


class _SaveToFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._seq = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{next(self._seq):04d}.eml"
        (self.folder / name).write_bytes(envelope.original_content or envelope.content)
        return "250 Message accepted"


def start(folder: Path, host: str = "127.0.0.1", port: int = 0):
    """Start the sink in a background thread; returns the aiosmtpd Controller (.port, .stop())."""
    from aiosmtpd.controller import Controller

    controller = Controller(_SaveToFolder(Path(folder)), hostname=host, port=port or free_port(host))
    controller.start()
    return controller


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the tests' servers use it too)."""
    import socket

    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
