"""A minimal SMTP server for tests: accepts mail and keeps it in memory.

Speaks just enough of RFC 5321 for ``smtplib`` (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT). ``refuse_first`` makes it answer the first N DATA commands with a
temporary failure (451), to exercise retries.
"""

from __future__ import annotations

import socketserver
import threading
from email import message_from_bytes
from email.message import Message


class SmtpSink:
    """Run with ``with SmtpSink() as sink: ... sink.url ... sink.messages``."""

    def __init__(self, refuse_first: int = 0) -> None:
        self.messages: list[Message] = []
        self.refusals_left = refuse_first
        self.lock = threading.Lock()
        sink = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self.reply("220 sink ESMTP ready")
                while True:
                    raw = self.rfile.readline()
                    if not raw:
                        return
                    verb = raw.decode("ascii", "replace").strip().split(" ")[0].upper()
                    if verb == "EHLO":
                        self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
                    elif verb in ("HELO", "MAIL", "RCPT", "RSET", "NOOP"):
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 end with <CRLF>.<CRLF>")
                        sink.receive(self.read_data(), self)
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:
                        self.reply("502 not implemented")

            def read_data(self) -> bytes:
                lines = []
                while True:
                    line = self.rfile.readline()
                    if line in (b".\r\n", b".\n", b""):
                        return b"".join(lines)
                    lines.append(line[1:] if line.startswith(b"..") else line)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"smtp://127.0.0.1:{self._server.server_address[1]}?from=billing@example.com"

    def receive(self, data: bytes, handler: socketserver.StreamRequestHandler) -> None:
        with self.lock:
            if self.refusals_left > 0:
                self.refusals_left -= 1
                handler.wfile.write(b"451 try again later\r\n")
                return
            self.messages.append(message_from_bytes(data))
        handler.wfile.write(b"250 queued\r\n")

    def __enter__(self) -> SmtpSink:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
