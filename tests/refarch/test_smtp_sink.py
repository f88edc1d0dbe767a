"""The local SMTP sink stores what it receives in a maildir; `refarch mail` reads it back."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from refarch.mail_cli import mail
from refarch.smtp_sink import list_mail, maildir_of, read_mail, running


def _send(url: str, to: str, subject: str) -> None:
    host, port = url.removeprefix("smtp://").rsplit(":", 1)
    message = EmailMessage()
    message["From"] = "no-reply@refarch.localhost"
    message["To"] = to
    message["Subject"] = subject
    message.set_content(f"body of {subject}")
    with smtplib.SMTP(host, int(port), timeout=10) as client:
        client.send_message(message)


def test_the_sink_stores_mail_on_loopback_and_stops(tmp_path: Path) -> None:
    maildir = maildir_of(tmp_path)
    with running(maildir) as url:
        assert url.startswith("smtp://127.0.0.1:")
        _send(url, "ada@example.test", "first")
        _send(url, "bob@example.test", "second")

    stored = list_mail(maildir)
    assert [(m.to, m.subject) for m in stored] == [
        ("ada@example.test", "first"),
        ("bob@example.test", "second"),
    ]
    assert "body of first" in read_mail(maildir, stored[0].key)
    with pytest.raises(OSError):  # stopped: nothing listens any more
        _send(url, "ada@example.test", "too late")


def test_refarch_mail_lists_reads_and_prints_the_path(tmp_path: Path) -> None:
    with running(maildir_of(tmp_path)) as url:
        _send(url, "ada@example.test", "Welcome to refarch")
    runner = CliRunner()

    listed = runner.invoke(mail, ["--data-dir", str(tmp_path)])
    read = runner.invoke(mail, ["--data-dir", str(tmp_path), "read", "1"])
    path = runner.invoke(mail, ["--data-dir", str(tmp_path), "path"])
    filtered = runner.invoke(mail, ["--data-dir", str(tmp_path), "list", "--to", "bob@x.test"])

    assert listed.exit_code == 0 and f"maildir: {tmp_path / 'mail'}" in listed.output
    assert "   1  " in listed.output and "ada@example.test  Welcome to refarch" in listed.output
    assert read.exit_code == 0 and "Subject: Welcome to refarch" in read.output
    assert "body of Welcome to refarch" in read.output
    assert path.output.strip() == str(tmp_path / "mail")
    assert "no mail to bob@x.test yet" in filtered.output


def test_refarch_mail_says_what_is_wrong(tmp_path: Path) -> None:
    runner = CliRunner()

    empty = runner.invoke(mail, ["--data-dir", str(tmp_path)])
    missing = runner.invoke(mail, ["--data-dir", str(tmp_path), "read", "7"])
    unknown = runner.invoke(mail, ["--data-dir", str(tmp_path), "read", "no-such-key"])

    assert empty.exit_code == 0 and "no mail yet" in empty.output
    assert missing.exit_code == 2 and "no email number 7" in missing.output
    assert "refarch mail list" in missing.output
    assert unknown.exit_code == 2 and "no email 'no-such-key'" in unknown.output
