"""HTTP spoken over a raw socket, for what no client library sends: a malformed request line, raw bytes beyond
ASCII, an overlong header, a stalled body. Used against nginx (tests/production) and gunicorn (its own refusals)."""

from __future__ import annotations

import re
import socket
import time
from dataclasses import dataclass


@dataclass
class Answer:
    status: int | None  # None: the server closed the connection without an answer
    headers: dict[str, str]
    body: bytes


def exchange(port: int, data: bytes, timeout: float = 30) -> Answer:
    """Sends ``data`` as it is (a malformed request line, raw bytes) and reads the answer, or until the peer
    closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        return read_answer(connection, timeout)


def read_answer(connection: socket.socket, timeout: float) -> Answer:
    """Reads one answer (up to its Content-Length), or until the peer closes or ``timeout`` passes."""
    received = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not _complete(received):
        connection.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            chunk = connection.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            break
        received += chunk
    if not received:
        return Answer(None, {}, b"")
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    return Answer(int(status_line.split()[1]), headers, body)


def _complete(received: bytes) -> bool:
    head, separator, body = received.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return bool(separator and length and len(body) >= int(length[1]))
