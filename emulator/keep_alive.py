"""Connections kept alive between requests, as AWS keeps them.

werkzeug's development server closes every connection after its response: it cannot tell where an unread request
body ends, so after each response it also reads and discards whatever else arrives on the socket for 10 ms. Every
SDK call then paid a new connection and a new server thread, about a quarter of each call's time on both sides.
Here a request body with a length is read whole before moto sees it; for those requests the connection stays open
and nothing is discarded (a client's next request may already be on the socket). A chunked body is left as werkzeug
handles it (connection closed). Responses go out at once (TCP_NODELAY): werkzeug writes headers and body apart, and a
kept-alive connection would otherwise wait for the client's delayed acknowledgement.
"""
import io
import selectors
import socket
import threading
import types

import werkzeug.serving as serving
from werkzeug.serving import WSGIRequestHandler

_request = threading.local()
_setup = WSGIRequestHandler.setup
_make_environ = WSGIRequestHandler.make_environ
_send_header = WSGIRequestHandler.send_header


class _Selector(selectors.DefaultSelector):
    """werkzeug's after-response drain finds nothing to read when the body was read whole."""

    def select(self, timeout=None):
        return [] if getattr(_request, "read_whole", False) else super().select(timeout)


def _setup_no_delay(self):
    _setup(self)
    self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _make_environ_read_whole(self):
    environ = _make_environ(self)
    _request.read_whole = "chunked" not in self.headers.get("Transfer-Encoding", "").lower()
    if _request.read_whole:
        environ["wsgi.input"] = io.BytesIO(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
    return environ


def _send_header_keep_alive(self, keyword, value):
    if keyword.lower() == "connection" and value == "close" and _request.read_whole:
        return
    _send_header(self, keyword, value)


# Only werkzeug's serving module sees the selector above; the rest of the process keeps the standard one.
serving.selectors = types.SimpleNamespace(DefaultSelector=_Selector, EVENT_READ=selectors.EVENT_READ)
WSGIRequestHandler.setup = _setup_no_delay
WSGIRequestHandler.make_environ = _make_environ_read_whole
WSGIRequestHandler.send_header = _send_header_keep_alive
WSGIRequestHandler.protocol_version = "HTTP/1.1"
