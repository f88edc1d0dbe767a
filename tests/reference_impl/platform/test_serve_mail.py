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
import uuid
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest

from refarch import pg
from refarch.smtp_sink import StoredMail, list_mail, maildir_of, read_mail
from tests.support.server import free_port
from tests.support.shop import PASSWORD, create_product, login, order_body

REFARCH = [sys.executable, "-c", "from refarch.cli import main; main()"]
START_TIMEOUT_SECONDS = 90.0
MAIL_TIMEOUT_SECONDS = 30.0
ADMIN = {
    "REFARCH_ADMIN_EMAIL": "ops@example.test",
    "REFARCH_ADMIN_PASSWORD": "a long admin passphrase",
}
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
            env={**clean, **ADMIN},
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
    # log lines are written in batches: the sink's line may land a moment after "ready"
    while not (found := SINK_LINE.search(log_path.read_text(errors="replace"))):
        assert time.monotonic() < deadline, log_path.read_text(errors="replace")
        time.sleep(0.2)
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


def _mail_to(data_dir: Path, address: str, count: int) -> list[StoredMail]:
    """The sink's mail to ``address`` once ``count`` have arrived (or what came in time)."""
    deadline = time.monotonic() + MAIL_TIMEOUT_SECONDS
    while True:
        found = [m for m in list_mail(maildir_of(data_dir)) if m.to == address]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.requirement("NTF-006")
def test_serve_mails_welcome_confirmation_and_cancellation_through_the_broker(
    data_dir: Path, tmp_path: Path
) -> None:
    """API call → outbox → JetStream → notifications consumer → delivery queue → SMTP sink."""
    process, port, _ = _serve(data_dir, tmp_path / "serve.log")
    email = f"mail-{uuid.uuid4().hex[:10]}@example.test"
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}/api/v1", timeout=30) as client:
            admin = login(client, ADMIN["REFARCH_ADMIN_EMAIL"], ADMIN["REFARCH_ADMIN_PASSWORD"])
            registered = client.post(
                "/auth/register",
                json={"email": email, "password": PASSWORD, "first_name": "Ada", "last_name": "L"},
            )
            assert registered.status_code == 201, registered.text
            me = login(client, email, PASSWORD)
            product = create_product(
                client, admin, sku_prefix="MAIL", name="Lamp", amount=1250, stock=5
            )
            placed = client.post("/orders", headers=me, json=order_body(product["id"], 2))
            assert placed.status_code == 201, placed.text
            cancelled = client.post(f"/orders/{placed.json()['id']}/cancel", headers=me)
            assert cancelled.status_code == 200, cancelled.text
            mail = _mail_to(data_dir, email, 3)
    finally:
        process.terminate()
        process.wait(60)

    subjects = sorted(m.subject for m in mail)
    assert subjects == [
        "We received your order",
        "Welcome to refarch",
        "Your order is now cancelled",
    ]
    welcome = next(m for m in mail if m.subject == "Welcome to refarch")
    assert "Hello Ada," in read_mail(maildir_of(data_dir), welcome.key)
    confirmation = next(m for m in mail if m.subject == "We received your order")
    assert "2 item(s) totalling 25.00 EUR" in read_mail(maildir_of(data_dir), confirmation.key)
