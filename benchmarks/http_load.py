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
from dataclasses import dataclass, field

import httpx

__all__ = ["Client", "Reply", "session_cookie"]


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
