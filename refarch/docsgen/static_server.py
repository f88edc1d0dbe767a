"""Serve a built site from a directory over HTTP on the loopback interface.

Used by ``refarch docs serve`` and by the browser tests; a plain threaded ``http.server``
is all a static site needs, and binding to 127.0.0.1 keeps it off the network.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["QuietHandler", "make_server", "serving"]


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files without a log line per request (the CLI prints where to look instead)."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def make_server(root: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


@contextmanager
def serving(root: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve ``root`` in a background thread; yields the base URL (``port=0``: any free port)."""
    server = make_server(root, host, port)
    thread = threading.Thread(target=server.serve_forever, name="docs-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
