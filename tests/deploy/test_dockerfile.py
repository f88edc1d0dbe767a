"""The Dockerfile, checked statically (no Docker engine here): pinned base, multi-stage with
no build tools in the final stage, non-root, a HEALTHCHECK on the liveness operation, the
specs inside, and a command that `refarch serve` accepts with the plan's ports."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

import pytest

from tests.deploy.facts import DEPLOY, REPO, load_capacity, probes, serve_options

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
BUILD_TOOLS = re.compile(
    r"\b(apt-get\s+install|apt\s+install|apk\s+add|pip\s+install|gcc|g\+\+|make|build-essential)\b"
)


@dataclass
class Instruction:
    keyword: str
    argument: str


def parse(text: str) -> list[Instruction]:
    joined = re.sub(r"\\\n", " ", text)
    instructions = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, argument = line.partition(" ")
        instructions.append(Instruction(keyword.upper(), argument.strip()))
    return instructions


def _exec_form(argument: str) -> list[str]:
    return list(json.loads(argument)) if argument.startswith("[") else shlex.split(argument)


def dockerfile_problems(text: str) -> list[str]:
    problems: list[str] = []
    instructions = parse(text)
    stages = [i for i, ins in enumerate(instructions) if ins.keyword == "FROM"]
    if len(stages) < 2:
        problems.append("not a multi-stage build: build tools would end up in the image")
    for index in stages:
        image = instructions[index].argument.split()[0]
        if not re.search(r":\d+\.\d+\.\d+[\w.-]*$|@sha256:[0-9a-f]{64}$", image):
            problems.append(f"base image {image} is not pinned by exact version tag or digest")
    final = instructions[stages[-1] :] if stages else instructions
    for ins in final:
        if ins.keyword == "RUN" and BUILD_TOOLS.search(ins.argument):
            problems.append(f"the final stage installs or builds: RUN {ins.argument}")
    users = [ins.argument for ins in final if ins.keyword == "USER"]
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        problems.append("the final stage runs as root")
    env = {}
    for ins in final:
        if ins.keyword == "ENV":
            env.update(
                dict(pair.split("=", 1) for pair in shlex.split(ins.argument) if "=" in pair)
            )
    specs_copies = [
        ins.argument.split()[-1]
        for ins in final
        if ins.keyword == "COPY" and re.search(r"\bspecs/?\s", ins.argument + " ")
    ]
    if env.get("REFARCH_SPECS_DIR") not in specs_copies:
        problems.append("the specs are not copied to where REFARCH_SPECS_DIR points")
    app = load_capacity()["app"]
    commands = [ins for ins in final if ins.keyword in {"ENTRYPOINT", "CMD"}]
    entrypoint = next((_exec_form(i.argument) for i in commands if i.keyword == "ENTRYPOINT"), [])
    cmd = next((_exec_form(i.argument) for i in commands if i.keyword == "CMD"), [])
    if entrypoint != ["refarch"]:
        problems.append(f"the entrypoint is {entrypoint}, not refarch")
    else:
        options = serve_options(cmd)
        if (options["port"], options["metrics_port"], options["workers"]) != (
            app["port"],
            app["metrics_port"],
            1,
        ):
            problems.append(f"the default command serves {options}, not the plan's ports")
        exposed = {p for i in final if i.keyword == "EXPOSE" for p in i.argument.split()}
        if exposed != {str(app["port"]), str(app["metrics_port"])}:
            problems.append(f"EXPOSE {sorted(exposed)} is not the API and metrics ports")
    checks = [ins.argument for ins in final if ins.keyword == "HEALTHCHECK"]
    expected_url = f"http://127.0.0.1:{app['port']}{probes().liveness}"
    if not checks or expected_url not in checks[-1]:
        problems.append(f"no HEALTHCHECK on the liveness operation ({expected_url})")
    return problems


def test_the_dockerfile_passes_every_static_check() -> None:
    assert dockerfile_problems(DOCKERFILE.read_text(encoding="utf-8")) == []


def test_the_build_copies_only_what_exists() -> None:
    for ins in parse(DOCKERFILE.read_text(encoding="utf-8")):
        if ins.keyword == "COPY" and not ins.argument.startswith("--from"):
            for source in ins.argument.split()[:-1]:
                assert (REPO / source).exists(), f"COPY {source}: not in the repository"


BROKEN = {
    "root-user": ("USER 10001:10001", "USER root", "runs as root"),
    "unpinned-base": (
        "FROM python:3.11.14-slim-trixie AS runtime",
        "FROM python:latest AS runtime",
        "not pinned",
    ),
    "compiler-in-final-stage": (
        "COPY --from=build /opt/refarch /opt/refarch",
        "RUN apt-get install -y gcc\nCOPY --from=build /opt/refarch /opt/refarch",
        "the final stage installs",
    ),
    "no-specs": ("COPY --from=build /src/specs /opt/refarch/specs", "", "specs are not copied"),
    "no-healthcheck": ("HEALTHCHECK", "# HEALTHCHECK", "no HEALTHCHECK"),
    "other-port": ('"--port", "8000"', '"--port", "8080"', "not the plan's ports"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_planted_mistake_is_reported(name: str) -> None:
    old, new, expected = BROKEN[name]
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert old in text
    problems = dockerfile_problems(text.replace(old, new, 1))
    assert any(expected in problem for problem in problems), problems


def test_a_single_stage_build_is_reported() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    single = text[text.index("FROM python:3.11.14-slim-trixie AS runtime") :]
    assert any("multi-stage" in p for p in dockerfile_problems(single))
