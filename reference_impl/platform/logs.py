"""JSON logs: one object per line, so a log shipper needs no parsing rules.

Structured values travel in ``extra={"fields": {...}}``. The access log writes one line per
request (request id, operationId, method, path, status, duration); headers, bodies and
query strings are never logged, so tokens and passwords cannot leak into the logs.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

import orjson

__all__ = ["JsonFormatter", "access_log", "configure_logging", "log_request"]

access_log = logging.getLogger("reference_impl.access")


class JsonFormatter(logging.Formatter):
    _second = -1
    _second_text = ""

    def _timestamp(self, created: float) -> str:
        # formatting the date dominates at thousands of lines a second; once per second is enough
        second = int(created)
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._second_text}.{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if fields:
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def configure_logging(level: str = "info") -> None:
    """JSON lines on stderr for our loggers and uvicorn's (its access log stays off)."""
    # The Logging HOWTO's "Optimization" switches: caller, thread and process lookups were
    # half the cost of an access-log line, and the JSON lines do not print them.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def log_request(
    request_id: str, operation_id: str, method: str, path: str, status: int, duration_ms: float
) -> None:
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(
            "request",
            extra={
                "fields": {
                    "request_id": request_id,
                    "operation_id": operation_id,
                    "method": method,
                    "path": path,
                    "status": status,
                    "duration_ms": round(duration_ms, 2),
                }
            },
        )
