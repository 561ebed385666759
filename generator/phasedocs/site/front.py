"""A small front for a development server that redirects where a request's path says.

Zensical 0.0.73's server answers ``GET //evil.example/x`` with ``302 Location:
//evil.example/x/``: a link to the local preview sends the browser to another site (a
path-relative ``//host`` is a URL of that host; so is ``/\\host`` to a browser). It has no
option against it, so ``serve --engine zensical`` runs it on a private loopback port and
answers the address the user asked for itself: a path that starts with ``//`` or holds a
backslash (as sent, or once its ``%XX`` escapes are decoded) is a 404, and any ``Location``
that would leave the server is dropped (a 404 instead). Everything else, the live-reload
WebSocket included, is passed through as it is.
"""

from __future__ import annotations

import http.client
import http.server
import select
import socket
import threading
from urllib.parse import unquote, urlsplit

#: Headers that belong to one connection, not to the request or response (RFC 9110, 7.6.1).
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding"}
    | {"upgrade", "proxy-connection"}
)


def leaves_host(target: str) -> bool:
    """Whether a request path or a ``Location`` may name another host to a browser: anything
    but a path that starts with one ``/`` and has no backslash, as written and once decoded."""
    for text in (target, unquote(target)):
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return True
        if any(ord(ch) < 0x21 for ch in text):  # control characters and spaces: not a path a browser sends
            return True
    return False


class Front(http.server.ThreadingHTTPServer):
    """The server on the user's address; ``upstream``: the loopback port of the real one."""

    daemon_threads = True

    def __init__(self, family: socket.AddressFamily, address: tuple[str, int], upstream: int) -> None:
        self.address_family = family  # the user's address may be IPv6 ([::1]:8000)
        super().__init__(address, _Handler)
        self.upstream = upstream


class _Handler(http.server.BaseHTTPRequestHandler):
    server: Front

    def log_message(self, format: str, *args: object) -> None:  # the real server logs requests
        return

    def _refuse(self) -> None:
        body = b"404 Not Found\n"
        self.send_response(404)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _forward(self) -> None:
        if leaves_host(self.path):
            self._refuse()
            return
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._tunnel()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            data = response.read()
        except OSError:
            self.send_error(502, "the development server is not answering")
            return
        finally:
            upstream.close()
        location = response.getheader("Location")
        if location is not None:
            parts = urlsplit(location)
            if parts.scheme or parts.netloc:  # its own absolute URL: keep only the path
                own = parts.hostname in ("127.0.0.1", "localhost") and parts.port == self.server.upstream
                location = (parts.path or "/") + (f"?{parts.query}" if parts.query else "") if own else "//"
            if leaves_host(location):
                self._refuse()
                return
        self.send_response(response.status, response.reason)
        for key, value in response.getheaders():
            if key.lower() not in HOP_BY_HOP | {"content-length", "location"}:
                self.send_header(key, value)
        if location is not None:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _tunnel(self) -> None:
        """A WebSocket (live reload): the request as it came, then bytes both ways until one side closes."""
        self.close_connection = True
        try:
            upstream = socket.create_connection(("127.0.0.1", self.server.upstream), timeout=10)
        except OSError:
            self.send_error(502, "the development server is not answering")
            return
        with upstream:
            head = [f"{self.command} {self.path} {self.request_version}\r\n"]
            head += [f"{k}: {v}\r\n" for k, v in self.headers.items() if k.lower() != "host"]
            head.append(f"Host: 127.0.0.1:{self.server.upstream}\r\n\r\n")
            upstream.sendall("".join(head).encode("latin-1"))
            client = self.connection
            client.settimeout(None)
            upstream.settimeout(None)
            # nothing of the socket's own bytes is buffered in rfile: a client sends none before the 101
            while True:
                ready, _, _ = select.select([client, upstream], [], [], 3600)
                if not ready:
                    return
                for side in ready:
                    data = side.recv(65536)
                    if not data:
                        return
                    (upstream if side is client else client).sendall(data)

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = _forward


def _sockaddr(addr: str) -> tuple[socket.AddressFamily, tuple[str, int]]:
    host, _, port = addr.rpartition(":")
    family, _, _, _, sockaddr = socket.getaddrinfo(host.strip("[]"), int(port), type=socket.SOCK_STREAM)[0]
    return family, (str(sockaddr[0]), int(sockaddr[1]))


def probe(addr: str) -> None:
    """``OSError`` or ``ValueError`` when a server could not listen on ``addr`` (HOST:PORT) now:
    taken, or not this machine's. Checked before a slow first build, not instead of the bind."""
    family, sockaddr = _sockaddr(addr)
    with socket.socket(family, socket.SOCK_STREAM) as test:
        test.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind: a closed port is free
        test.bind(sockaddr)


def start(addr: str, upstream: int) -> Front:
    """Bind ``addr`` (HOST:PORT; ``OSError`` or ``ValueError`` when it cannot be had) and serve
    it in a thread, passing requests on to the server on the loopback port ``upstream``."""
    family, sockaddr = _sockaddr(addr)
    front = Front(family, sockaddr, upstream)
    threading.Thread(target=front.serve_forever, daemon=True).start()
    return front
