"""`refarch serve` without SMTP_URL starts a local SMTP sink that stores mail in the data
directory, readable with `refarch mail`, and the sink ends with the service however it ends.

Real processes throughout: `refarch serve` in a child process, mail over SMTP on loopback.
"""

from __future__ import annotations

import os
import re
import smtplib
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from refarch import pg
from refarch.smtp_sink import list_mail, maildir_of
from tests.support.server import free_port

REFARCH = [sys.executable, "-c", "from refarch.cli import main; main()"]
START_TIMEOUT_SECONDS = 90.0
SINK_LINE = re.compile(r"local SMTP sink at smtp://127\.0\.0\.1:(\d+)")

pytestmark = pytest.mark.slow


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    directory = tmp_path / "data"
    yield directory
    if (directory / "pgdata" / "postmaster.pid").exists():
        pg.Database(url="", embedded_dir=directory / "pgdata").stop()


def _serve(data_dir: Path, log_path: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    """Start serve; return the process, its API port and the sink's port once ready."""
    port = free_port()
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("REFARCH_", "DATABASE_", "SMTP_"))
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*REFARCH, "serve", f"--data-dir={data_dir}", f"--port={port}"],
            env=clean,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        return process, port, _wait_ready(process, port, log_path)
    except BaseException:
        process.kill()
        process.wait()
        raise


def _wait_ready(process: subprocess.Popen[bytes], port: int, log_path: Path) -> str:
    """The sink's port, once the API answers ready."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while True:
        assert process.poll() is None, log_path.read_text(errors="replace")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/ready").status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, log_path.read_text(errors="replace")
        time.sleep(0.2)
    text = log_path.read_text(errors="replace")
    found = SINK_LINE.search(text)
    assert found, text
    return found.group(1)


def _mail(port: int, to: str) -> None:
    message = EmailMessage()
    message["From"] = "no-reply@refarch.localhost"
    message["To"] = to
    message["Subject"] = "hello from a test"
    message.set_content("stored by the sink")
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
        client.send_message(message)


def test_serve_runs_a_local_sink_that_refarch_mail_reads_and_that_dies_with_it(
    data_dir: Path, tmp_path: Path
) -> None:
    process, _, sink_port = _serve(data_dir, tmp_path / "serve.log")
    try:
        _mail(int(sink_port), "ada@example.test")
        listed = subprocess.run(
            [*REFARCH, "mail", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    finally:
        process.kill()  # SIGKILL: no handler, no finally runs in serve
        process.wait()

    assert f"maildir: {maildir_of(data_dir)}" in listed.stdout
    assert "ada@example.test  hello from a test" in listed.stdout
    with pytest.raises(OSError):  # the sink was a thread of serve: gone with it
        _mail(int(sink_port), "bob@example.test")
    assert [m.to for m in list_mail(maildir_of(data_dir))] == ["ada@example.test"]
