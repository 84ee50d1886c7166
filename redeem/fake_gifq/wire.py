"""Faults injected below Flask, at the WSGI layer, so they can misbehave on the wire.

"hang" and "reset" must not answer at all, which a Flask view cannot express: Flask turns
any exception into a 500. Here a ``ConnectionError`` reaches werkzeug's server, which
treats it as a dropped connection and writes nothing.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Response

from redeem.fake_gifq.platform import RATE_LIMIT_MESSAGE, Fault, Faults

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Valid JSON prefix cut short: parses as neither an object nor anything else.
MALFORMED_BODY = b'{"token": "abc", "status": "pend'


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers)


def drop_connection(environ: dict[str, Any], *, reset: bool) -> None:
    """Close the client's TCP connection without a response: RST when ``reset``, else FIN.

    The connection's descriptor is swapped (dup2) for one end of a socket pair whose other
    end is closed. That closes the real TCP socket at once, and werkzeug, still holding the
    descriptor number, reads a clean end-of-file afterwards instead of a closed descriptor.
    """
    sock = environ.get("werkzeug.socket")
    if sock is None:
        raise RuntimeError("hang and reset faults need werkzeug's HTTP server")
    if reset:
        # SO_LINGER on with a zero timeout makes close() send RST instead of FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    else:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    spare, peer = socket.socketpair()
    peer.close()
    os.dup2(spare.fileno(), sock.fileno())
    spare.close()
    raise ConnectionResetError("fault injected: connection dropped")


class FaultInjector:
    def __init__(self, app: WSGIApp, faults: Faults) -> None:
        self.app = app
        self.faults = faults

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        fault = self.faults.take(path, environ.get("REQUEST_METHOD", "GET"))
        if fault is None:
            return self.app(environ, start_response)
        response = self.misbehave(fault, environ)
        if response is None:
            return self.app(environ, start_response)
        return response(environ, start_response)

    def misbehave(self, fault: Fault, environ: dict[str, Any]) -> Response | None:
        seconds = fault.seconds or 0.0
        if fault.mode == "latency":
            time.sleep(seconds)
            return None
        if fault.mode == "error":
            status = fault.status or 503
            return _json(
                status,
                {"message": "Injected fault.", "status": "error", "code": "fault_injected"},
            )
        if fault.mode == "rate_limit":
            return _json(
                429,
                {"message": RATE_LIMIT_MESSAGE, "status": "error", "code": "rate_limited"},
                {"Retry-After": str(max(1, math.ceil(seconds)))},
            )
        if fault.mode == "malformed":
            return Response(MALFORMED_BODY, status=fault.status or 200, mimetype="application/json")
        if fault.mode == "hang":
            time.sleep(seconds)
            drop_connection(environ, reset=False)
        if fault.mode == "reset":
            drop_connection(environ, reset=True)
        raise AssertionError(f"unknown fault mode {fault.mode}")
