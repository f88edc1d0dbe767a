"""Serve a built site from a directory over HTTP on the loopback interface.

Used by ``refarch docs serve`` and by the browser tests; a plain threaded ``http.server``
is all a static site needs, and binding to 127.0.0.1 keeps it off the network.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["LoopbackServer", "QuietHandler", "make_server", "serving"]


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files without a log line per request (the CLI prints where to look instead)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading early (a browser cancelling a download, a link
        # checker that only wanted the headers) is normal for a static site, not an error.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def make_server(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    handler_class: type[SimpleHTTPRequestHandler] = QuietHandler,
) -> ThreadingHTTPServer:
    handler = functools.partial(handler_class, directory=str(root))
    return LoopbackServer((host, port), handler)


@contextmanager
def serving(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    handler_class: type[SimpleHTTPRequestHandler] = QuietHandler,
) -> Iterator[str]:
    """Serve ``root`` in a background thread; yields the base URL (``port=0``: any free port)."""
    server = make_server(root, host, port, handler_class)
    thread = threading.Thread(target=server.serve_forever, name="docs-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
