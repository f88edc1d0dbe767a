"""The Locust command line the gate builds: bounded, aimed at the one base URL, master on loopback."""

from __future__ import annotations

from pathlib import Path

from refarch.loadtests.profiles import RunShape
from refarch.loadtests.rundata import RUN_DATA_OPTION, RunData
from refarch.loadtests.runner import LOCUSTFILE, Distribution, locust_command

SHAPE = RunShape("smoke", 10, 10, 15)
RUN = RunData("/api/v1", "run1", ["c1"], [{"id": "p1", "price_cents": 100}], ["kettle"])
BASE_URL = "http://127.0.0.1:8000"


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_a_single_process_run_is_headless_bounded_and_aimed_at_the_base_url(tmp_path: Path) -> None:
    command = locust_command(BASE_URL, SHAPE, tmp_path, RUN, Distribution())
    assert command[1:5] == ["-m", "locust", "-f", str(LOCUSTFILE)]
    assert "--headless" in command
    assert option(command, "--host") == BASE_URL
    assert (option(command, "--users"), option(command, "--run-time")) == ("10", "15s")
    assert RunData.from_json(option(command, RUN_DATA_OPTION)) == RUN
    assert "--exit-code-on-error" not in command  # the gate judges error ratios, not "any error"
    assert "--processes" not in command and "--master" not in command


def test_forked_workers_meet_their_master_on_loopback_not_on_every_interface(
    tmp_path: Path,
) -> None:
    command = locust_command(BASE_URL, SHAPE, tmp_path, RUN, Distribution(processes=3))
    assert option(command, "--processes") == "3"
    assert option(command, "--master-bind-host") == "127.0.0.1"
    assert option(command, "--master-bind-port") == option(command, "--master-port")


def test_remote_workers_make_a_master_that_waits_for_them(tmp_path: Path) -> None:
    distribution = Distribution(remote_workers=2, master_port=6000)
    command = locust_command(BASE_URL, SHAPE, tmp_path, RUN, distribution)
    assert "--master" in command
    assert (option(command, "--expect-workers"), option(command, "--master-bind-port")) == (
        "2",
        "6000",
    )
    assert "--processes" not in command
