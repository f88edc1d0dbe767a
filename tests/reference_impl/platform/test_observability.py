"""Metrics per operationId at /metrics and one JSON access-log line per request."""

from __future__ import annotations

import io
import json
import logging
import time
import uuid

import httpx
import pytest

from refarch.reference_impl.platform.logs import BatchedLineHandler, JsonFormatter
from tests.support.server import ServerHandle


def test_metrics_expose_request_series_per_operation(widget_server: ServerHandle) -> None:
    httpx.get(f"{widget_server.api_url}/widgets")
    httpx.get(f"{widget_server.api_url}/widgets?limit=1000")
    httpx.get(f"{widget_server.api_url}/nowhere")
    httpx.request("BREW", f"{widget_server.api_url}/widgets")
    response = httpx.get(f"{widget_server.base_url}/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'refarch_http_requests_total{method="GET",operation_id="listWidgets",status_class="2xx"}'
        in text
    )
    assert (
        'refarch_http_requests_total{method="GET",operation_id="listWidgets",status_class="4xx"}'
        in text
    )
    assert 'operation_id="unmatched"' in text
    assert "BREW" not in text  # client-chosen verbs do not mint series
    assert "refarch_http_request_duration_seconds_bucket{" in text
    assert "refarch_db_pool_connections " in text
    assert "refarch_db_pool_connections_in_use " in text
    assert "refarch_outbox_lag_seconds 0.0" in text


def _records_for(caplog: pytest.LogCaptureFixture, request_id: str) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "refarch.reference_impl.access"
        and getattr(record, "fields", {}).get("request_id") == request_id
    ]


def test_access_log_is_one_json_line_without_credentials(
    widget_server: ServerHandle, admin_token: str, caplog: pytest.LogCaptureFixture
) -> None:
    request_id = f"log-{uuid.uuid4().hex}"
    with caplog.at_level(logging.INFO, logger="refarch.reference_impl.access"):
        httpx.post(
            f"{widget_server.api_url}/widgets",
            json={"name": "w", "items": [{"quantity": 1}]},
            headers={"authorization": f"Bearer {admin_token}", "x-request-id": request_id},
        )
        # the server thread logs after the response is sent: give it a moment
        deadline = time.monotonic() + 5
        while not _records_for(caplog, request_id) and time.monotonic() < deadline:
            time.sleep(0.01)
    lines = [JsonFormatter().format(record) for record in _records_for(caplog, request_id)]
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["operation_id"] == "createWidget"
    assert entry["method"] == "POST"
    assert entry["path"] == "/api/v1/widgets"
    assert entry["status"] == 201
    assert entry["duration_ms"] >= 0
    assert admin_token not in lines[0]


def test_log_lines_are_batched_until_flushed_but_warnings_go_out_at_once() -> None:
    stream = io.StringIO()
    handler = BatchedLineHandler(stream, capacity=100)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"test.batched.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.info("first")
    assert stream.getvalue() == ""
    logger.warning("second")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == ["first", "second"]
    logger.info("third")
    handler.flush()
    assert json.loads(stream.getvalue().splitlines()[-1])["message"] == "third"
