"""A light HTTP/1.1 load client for the web benchmarks (keep-alive, asyncio streams).

The benchmarks run their simulated users on the same two cores as the server. httpx
costs about 2.5 ms of CPU per request: with 20 users the load generator itself became
the bottleneck of the tile benchmark (its clients took twice the server's CPU), which
measured the client rather than gltd. Browsers run on the users' own machines; this
client only writes a GET with the session cookie and reads the status, the headers and
the body (``Content-Length`` or chunked), a few tens of microseconds of CPU per request.

Logging in (a form, a CSRF token, a redirect) stays with httpx: it is not measured.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

__all__ = ["Client", "Reply", "free_port", "gltd_server", "session_cookie"]


def free_port() -> int:
    """A free TCP port on the loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gltd_server(
    db: Path, folder: Path, *, env: dict[str, str] | None = None, args: Sequence[str] = ()
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """``gltd serve`` on base ``db`` and a free loopback port, in development, its results
    and its log (``serve.log``) in ``folder``; yields the process and its base URL once
    the login page answers, and stops it afterwards."""
    port = free_port()
    environ = {**os.environ, "GLTD_RESULTS_DIR": str(folder / "results"),
               "GLTD_ENV": "development", **(env or {})}  # fmt: skip
    gltd = str(Path(sys.executable).parent / "gltd")
    with (folder / "serve.log").open("wb") as log:
        proc = subprocess.Popen(
            [gltd, "serve", "--db", f"sqlite:///{db}", "--port", str(port), *args],
            env=environ,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(base + "/login", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            yield proc, base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


@dataclass
class Reply:
    """One response: status, headers (lower-case names) and body."""

    status: int
    headers: dict[str, str]
    body: bytes = b""


def session_cookie(client: httpx.AsyncClient) -> str:
    """The ``Cookie`` header value of a logged-in httpx client."""
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, head: bytes) -> Reply:
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        self.writer.write(head)
        status_line = await self.reader.readline()
        if not status_line:  # the server closed an idle connection: once more, afresh
            self.writer.close()
            self.writer = None
            return await self.request(head)
        status = int(status_line.split(b" ", 2)[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            body = b"".join(parts)
        else:
            body = b""
        if headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return Reply(status, headers, body)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


@dataclass
class Client:
    """One simulated user: its cookie and up to ``connections`` keep-alive connections
    (a browser opens six per site)."""

    host: str
    port: int
    cookie: str = ""
    connections: int = 1
    _idle: list[_Connection] = field(default_factory=list)
    _sem: asyncio.Semaphore | None = None

    async def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        """GET ``path`` on one of the user's connections."""
        if self._sem is None:
            self._sem = asyncio.Semaphore(self.connections)
        async with self._sem:
            conn = self._idle.pop() if self._idle else _Connection(self.host, self.port)
            lines = [f"GET {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
            if self.cookie:
                lines.append(f"Cookie: {self.cookie}")
            lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
            head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
            try:
                reply = await conn.request(head)
            except BaseException:
                conn.close()
                raise
            self._idle.append(conn)
            return reply

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
