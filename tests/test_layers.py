"""The import graph: every dealcheck module imports only its own layer and those below, and nothing imports in a
circle. Read from the source with ``ast`` (no module is imported), so the test also covers imports inside functions.

The layers, lowest first: rules -> model -> solver -> analysis -> report -> cli. A module inside a package takes the
package's layer; a top-level module not listed in :data:`LAYERS` sits as low as its imports allow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dealcheck"

#: Layer name and the modules (or packages) in it, lowest first.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("rules", ("dealcheck.errors", "dealcheck.progress", "dealcheck.rules")),
    (
        "model",
        (
            "dealcheck.model",
            "dealcheck.loader",
            "dealcheck.yamlnodes",
            "dealcheck.sources",
            "dealcheck.uncertainty",
            "dealcheck.expectations.claims",  # the expect: schema, which the loader reads
        ),
    ),
    ("solver", ("dealcheck.solver",)),
    (
        "analysis",
        (
            "dealcheck.results",
            "dealcheck.batch",  # packages files checked through check_many, counted in a results.Report
            "dealcheck.check",
            "dealcheck.partial",
            "dealcheck.analysis",
            "dealcheck.expectations",
        ),
    ),
    ("report", ("dealcheck.report",)),
    # The package's lazy table of public names, the facade the model's methods call, the CLI, the test helpers.
    (
        "cli",
        (
            "dealcheck",
            "dealcheck.__main__",
            "dealcheck.api",
            "dealcheck.cli",
            "dealcheck.cli_io",
            "dealcheck.starter",
            "dealcheck.testing",
        ),
    ),
)

#: The imports allowed to run up the layers, each inside a function (so it runs after every module has loaded):
#: lazy imports of the facade (``Scenario``'s methods and a result's ``render()`` reach the analyses and the
#: renderers through it), and the pairs listed here.
FACADE = "dealcheck.api"
LAZY_UPWARD: frozenset[tuple[str, str]] = frozenset({})


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def layer_of(module: str) -> int:
    best: tuple[int, int] | None = None  # (length of the matching prefix, layer): the longest match wins
    for rank, (_, members) in enumerate(LAYERS):
        for member in members:
            # "dealcheck" itself is the package's __init__, not a prefix of every module.
            inside = module.startswith(member + ".") and member != "dealcheck"
            if (module == member or inside) and (best is None or len(member) > best[0]):
                best = (len(member), rank)
    if best is not None:
        return best[1]
    # A module not listed yet (other work lands new ones all the time) sits as low as its own imports allow; the
    # modules that import it are then held to that. List it in LAYERS to say where it belongs.
    if module in _INFERRING:
        return 0
    _INFERRING.add(module)
    try:
        return max((layer_of(name) for name, lazy in imports(module) if not lazy), default=0)
    finally:
        _INFERRING.discard(module)


_INFERRING: set[str] = set()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(module: str) -> list[tuple[str, bool]]:
    """``(imported dealcheck module, lazily)`` for every runtime import in ``module``: those under
    ``if TYPE_CHECKING:`` never run and are left out; ``lazily`` means inside a function."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[str, bool]] = []

    def target(name: str) -> str:
        # ``from dealcheck.report import text`` imports the module dealcheck.report.text; ``from x import name``
        # imports x.
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        return name

    def visit(node: ast.AST, lazy: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child, lazy)
            return
        if isinstance(node, ast.Import):
            found.extend((target(a.name), lazy) for a in node.names if a.name.startswith("dealcheck"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            if base.startswith("dealcheck"):
                found.extend((target(f"{base}.{a.name}"), lazy) for a in node.names)
        inner = lazy or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        for child in ast.iter_child_nodes(node):
            visit(child, inner)

    visit(ast.parse(path.read_text(encoding="utf-8")), False)
    return [(m, lazy) for m, lazy in found if m and m != module]


def test_every_module_has_a_layer() -> None:
    assert len(MODULES) > 40
    assert [layer_of(m) for m in ("dealcheck.rules.ir", "dealcheck.model", "dealcheck.solver.cpsat")] == [0, 1, 2]
    assert [layer_of(m) for m in ("dealcheck.check", "dealcheck.report.text", "dealcheck.cli")] == [3, 4, 5]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_down_the_layers(module: str) -> None:
    here = layer_of(module)
    upward = sorted(
        {
            (name, lazy)
            for name, lazy in imports(module)
            if layer_of(name) > here and not (lazy and (name == FACADE or (module, name) in LAZY_UPWARD))
        }
    )
    assert not upward, f"{module} ({LAYERS[here][0]}) imports up the layers: " + ", ".join(
        f"{name} ({LAYERS[layer_of(name)][0]}{', in a function' if lazy else ''})" for name, lazy in upward
    )


def test_no_import_circle() -> None:
    """Module-level imports form no cycle (a circle makes import order matter and hides layering mistakes)."""
    graph = {m: sorted({name for name, lazy in imports(m) if not lazy}) for m in MODULES}
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def walk(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import circle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                walk(nxt, [*path, nxt])
        state[node] = 2

    for module in graph:
        if module not in state:
            walk(module, [module])


def test_the_model_reaches_up_only_through_the_facade() -> None:
    """``Scenario``'s methods call :mod:`dealcheck.api`, lazily; the model imports nothing else above it."""
    assert ("dealcheck.api", True) in imports("dealcheck.model")
    assert {name for name, _ in imports("dealcheck.model") if layer_of(name) > layer_of("dealcheck.model")} == {
        "dealcheck.api"
    }


def test_the_checker_sees_through_relative_and_type_only_imports() -> None:
    """The reader itself: ``from dealcheck.report import text`` is the text module, TYPE_CHECKING imports are not
    runtime imports, an import in a function is lazy."""
    assert ("dealcheck.report.text", False) in imports("dealcheck.report.markdown")
    assert all(not name.startswith("dealcheck.analysis") for name, _ in imports("dealcheck.model"))
    assert ("dealcheck.check", False) in imports("dealcheck.api")
    assert ("dealcheck.analysis.explore", True) in imports("dealcheck.api")
