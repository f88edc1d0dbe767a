"""The mutants: cosmic-ray's operators applied to the reference implementation's modules.

Cosmic-ray finds the places to mutate and makes each change (its operators and its parso
based ``mutate_code``); this module chooses which operators run, leaves out mutations that
cannot change behaviour by construction (type annotations), and gives every mutant an id
that survives edits elsewhere in the file, so the committed triage stays attached to it.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import cosmic_ray.plugins
from cosmic_ray.ast import ast_nodes, get_ast
from cosmic_ray.ast.ast_query import ASTQuery
from cosmic_ray.mutating import mutate_code
from parso.tree import NodeOrLeaf

__all__ = ["MODULES", "OPERATORS", "Mutant", "enumerate_mutants"]

#: The modules under test: the business logic behind the API, layer by layer. Handlers,
#: representation and the platform are left out on purpose: the contract checks (Schemathesis
#: validating every response against the spec) already pin them, and their mutants would
#: double the run time for little news about the suite.
MODULES: tuple[str, ...] = tuple(
    f"reference_impl/{service}/{layer}.py"
    for service in ("users", "catalog", "orders", "notifications")
    for layer in ("domain", "service", "repository")
)

_BINARY = "core/ReplaceBinaryOperator_"
_COMPARE = "core/ReplaceComparisonOperator_"

#: One replacement per operator site, the one a plausible slip would make (off by one,
#: a negated or widened comparison, a dropped ``not``), instead of cosmic-ray's full cross
#: product: ``a | b`` alone yields 11 binary mutants, which would take the hour budget
#: without telling more about the suite.
OPERATORS: tuple[str, ...] = (
    f"{_BINARY}Add_Sub",
    f"{_BINARY}Sub_Add",
    f"{_BINARY}Mul_Div",
    f"{_BINARY}Div_Mul",
    f"{_BINARY}FloorDiv_Mul",
    f"{_BINARY}Mod_FloorDiv",
    f"{_BINARY}BitOr_BitAnd",
    f"{_BINARY}BitAnd_BitOr",
    f"{_COMPARE}Eq_NotEq",
    f"{_COMPARE}NotEq_Eq",
    f"{_COMPARE}Lt_LtE",
    f"{_COMPARE}LtE_Lt",
    f"{_COMPARE}Gt_GtE",
    f"{_COMPARE}GtE_Gt",
    f"{_COMPARE}Is_IsNot",
    f"{_COMPARE}IsNot_Is",
    "core/ReplaceUnaryOperator_USub_UAdd",
    "core/ReplaceUnaryOperator_Delete_Not",
    "core/AddNot",
    "core/ReplaceTrueWithFalse",
    "core/ReplaceFalseWithTrue",
    "core/ReplaceAndWithOr",
    "core/ReplaceOrWithAnd",
    "core/ReplaceBreakWithContinue",
    "core/ReplaceContinueWithBreak",
    "core/ExceptionReplacer",
    "core/NumberReplacer",
    "core/RemoveDecorator",
    "core/ZeroIterationForLoop",
)


@dataclass(frozen=True)
class Mutant:
    """One mutation of one module. ``id`` is stable; ``occurrence`` is cosmic-ray's index."""

    id: str
    path: str  # repository-relative, e.g. reference_impl/orders/service.py
    operator: str
    occurrence: int
    line: int
    definition: str
    diff: str  # the changed lines only, ``-``/``+`` prefixed

    def mutated_source(self, source: str) -> str:
        operator = cosmic_ray.plugins.get_operator(self.operator)()
        mutated = mutate_code(source, operator, self.occurrence)
        if mutated is None:
            raise ValueError(f"{self.id}: occurrence {self.occurrence} no longer exists")
        return str(mutated)

    @property
    def title(self) -> str:
        return f"{self.path}:{self.line} {self.operator.removeprefix('core/')} in {self.definition}"


def _in_annotation(node: NodeOrLeaf) -> bool:
    """True inside a type annotation: with ``from __future__ import annotations`` these are
    never evaluated, so ``str | None`` -> ``str & None`` is equivalent by construction."""
    child, parent = node, node.parent
    while parent is not None:
        if parent.type == "tfpdef" and parent.children.index(child) >= 2:  # name ":" annotation
            return True
        if parent.type == "funcdef" and child is getattr(parent, "annotation", None):
            return True
        if parent.type == "annassign" and len(parent.children) > 1 and child is parent.children[1]:
            return True
        child, parent = parent, parent.parent
    return False


def _definition(node: NodeOrLeaf) -> str:
    """The enclosing function or class; a decorator belongs to what it decorates."""
    name = ASTQuery(node).get_definition_name()
    if name:
        return str(name)
    parent = node.parent
    while parent is not None:
        if parent.type == "decorated":
            return str(parent.children[-1].name.value)
        parent = parent.parent
    return "<module>"


def _changed_lines(original: str, mutated: str) -> tuple[int, str]:
    lines = list(
        difflib.unified_diff(original.splitlines(), mutated.splitlines(), lineterm="", n=0)
    )
    first = next((line for line in lines if line.startswith("@@")), "@@ -0 @@")
    line_number = int(first.split()[1].lstrip("-").split(",")[0])
    body = [line for line in lines[2:] if not line.startswith("@@")]
    return line_number, "\n".join(body)


def _module_mutants(path: str, source: str, operators: Sequence[str]) -> Iterator[Mutant]:
    tree = get_ast(source)
    seen: dict[str, int] = {}
    for name in operators:
        operator = cosmic_ray.plugins.get_operator(name)()
        occurrence = -1
        for node in ast_nodes(tree):
            for _position in operator.mutation_positions(node):
                occurrence += 1
                if _in_annotation(node):
                    continue
                try:
                    mutated = mutate_code(source, operator, occurrence)
                except AttributeError:
                    # cosmic-ray's ExceptionReplacer cannot rewrite some dotted names: no
                    # mutant there. Others it fuses into one undefined name
                    # (``asyncpgCosmicRayTestingExceptionForeignKeyViolationError``); like
                    # its ``CosmicRayTestingException``, that name does not exist in the
                    # server, so the handler raises NameError once an exception reaches it:
                    # such a mutant means "this handler is gone", a 500 where it mattered
                    continue
                if mutated is None or mutated == source:
                    continue
                line, diff = _changed_lines(source, mutated)
                definition = _definition(node)
                # the id names what changed, not where: an edit elsewhere in the file moves
                # line numbers and occurrences but keeps every other mutant's id
                digest = hashlib.sha256(f"{name}\n{definition}\n{diff}".encode()).hexdigest()[:10]
                key = f"{path}::{definition}::{digest}"
                seen[key] = seen.get(key, 0) + 1
                mutant_id = key if seen[key] == 1 else f"{key}.{seen[key]}"
                yield Mutant(mutant_id, path, name, occurrence, line, definition, diff)


def enumerate_mutants(
    root: Path, modules: Sequence[str] = MODULES, operators: Sequence[str] = OPERATORS
) -> list[Mutant]:
    """Every mutant of ``modules`` (paths relative to ``root``), in a stable order."""
    mutants: list[Mutant] = []
    for path in modules:
        source = (root / path).read_text(encoding="utf-8")
        mutants.extend(_module_mutants(path, source, operators))
    return mutants
