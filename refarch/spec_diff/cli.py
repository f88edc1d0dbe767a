"""``refarch specs diff``: report API changes, and fail a CI job on a breaking one.

Exit status: 0 nothing to fail on, 1 the same major version gained a change at or above
``--fail-on``, 2 bad input (unreadable file, not OpenAPI 3.x, unknown git ref).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from refarch.spec_diff.catalog import Severity
from refarch.spec_diff.document import DiffInputError, load_document
from refarch.spec_diff.report import PairResult, render

__all__ = ["diff", "gate_fails"]

EXIT_PASS, EXIT_BREAKING, EXIT_BAD_INPUT = 0, 1, 2

#: --fail-on value -> the severities that fail the gate
FAIL_ON: dict[str, frozenset[Severity]] = {
    "breaking": frozenset({Severity.BREAKING}),
    "deprecation": frozenset({Severity.BREAKING, Severity.DEPRECATION}),
}


def gate_fails(results: list[PairResult], fail_on: str) -> bool:
    """A failing change within one major version; across majors breaks are the point."""
    failing = FAIL_ON[fail_on]
    return any(
        change.severity in failing
        for result in results
        if result.same_major
        for change in result.changes
    )


def _compare(old_path: Path, new_path: Path) -> list[PairResult]:
    old, new = load_document(old_path), load_document(new_path)
    return [PairResult.compare(old, new)]


def _compare_with_ref(
    ref: str, files: tuple[Path, ...], specs_dir: Path | None
) -> list[PairResult]:
    from refarch.spec_diff.git_specs import GitTree, spec_pairs

    if not files and specs_dir is None:
        from refarch.specs import specs_root

        specs_dir = specs_root()
    if specs_dir is not None and not specs_dir.is_dir():
        raise DiffInputError(f"specs directory {specs_dir} does not exist (pass --specs-dir)")
    tree = GitTree.open(specs_dir or Path.cwd(), ref)
    pairs = spec_pairs(tree, files, specs_dir)
    if not pairs:
        where = ", ".join(map(str, files)) or f"{specs_dir}/openapi/<service>/v<N>.yaml"
        raise DiffInputError(f"no OpenAPI document found at {ref} under {where}")
    return [PairResult.compare(pair.old, pair.new) for pair in pairs]


@click.command("diff")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--base",
    "base_ref",
    metavar="GIT_REF",
    default=None,
    help="Compare the working tree's specs with those at this git ref (branch, tag, commit).",
)
@click.option(
    "--specs-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="With --base and no FILES: compare every openapi/<service>/v<N>.yaml below it "
    "(default: REFARCH_SPECS_DIR, else the checkout's specs/).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "markdown", "json"]),
    default="table",
    show_default=True,
    help="markdown suits a pull-request comment; json a program.",
)
@click.option(
    "--fail-on",
    type=click.Choice(sorted(FAIL_ON)),
    default=None,
    help="Exit 1 when the same major version gained a change of this severity (or worse).",
)
def diff(
    files: tuple[Path, ...],
    base_ref: str | None,
    specs_dir: Path | None,
    output_format: str,
    fail_on: str | None,
) -> None:
    """Report what changed between two OpenAPI 3.0/3.1 documents, and who it breaks.

    `refarch specs diff OLD NEW` compares two files; `refarch specs diff --base main`
    compares every spec of the working tree with the same file at `main` (or only FILES).
    Each change has a rule id, a severity (breaking, deprecation, non-breaking), the
    operation, a JSON pointer and who breaks and how.

    Exit status: 0 no failing change, 1 a change at --fail-on within one major version,
    2 bad input.
    """
    try:
        if base_ref is not None:
            results = _compare_with_ref(base_ref, files, specs_dir)
        elif len(files) == 2:
            results = _compare(*files)
        else:
            raise click.UsageError(
                f"expected OLD and NEW files (got {len(files)}), or --base GIT_REF"
            )
    except DiffInputError as exc:
        click.echo(f"refarch specs diff: cannot compare: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    click.echo(render(results, output_format))
    if fail_on is not None and gate_fails(results, fail_on):
        click.echo(
            f"refarch specs diff: failing: the same major version gained a {fail_on} change "
            "(bump the major version, or keep the old behaviour beside the new)",
            err=True,
        )
        sys.exit(EXIT_BREAKING)
    sys.exit(EXIT_PASS)
