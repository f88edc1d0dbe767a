"""No import circle inside reference_impl (the layers contracts in pyproject.toml say which
way imports run; this checks the weaker, graph-wide property with grimp directly)."""

from __future__ import annotations

import grimp


def find_cycle(graph: grimp.ImportGraph, package: str) -> list[str] | None:
    """One import cycle among ``package``'s modules (lazy imports included), or None."""
    modules = {m for m in graph.modules if m == package or m.startswith(package + ".")}
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module) & modules):
            if imported in on_path:
                return [*path[path.index(imported) :], imported]
            if imported not in done:
                found = visit(imported)
                if found:
                    return found
        path.pop()
        on_path.discard(module)
        done.add(module)
        return None

    for start in sorted(modules):
        if start not in done:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def test_reference_impl_has_no_import_cycle() -> None:
    graph = grimp.build_graph("refarch", cache_dir=None)  # grimp builds top-level packages
    cycle = find_cycle(graph, "refarch.reference_impl")
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_search_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("pkg", "pkg.a", "pkg.b", "pkg.c"):
        graph.add_module(module)
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.c")
    assert find_cycle(graph, "pkg") is None
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert find_cycle(graph, "pkg") == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]
