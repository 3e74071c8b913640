"""The planner's layers, read from its source with `ast` (imports inside functions count): each module
imports only modules of lower layers, so the lower layers never import `core` and there is no import
cycle inside chunnuan.planner; the process pool's server preloads the modules holding its work functions."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import chunnuan.planner
from chunnuan.planner import parallel

PACKAGE = "chunnuan.planner"
SOURCE = Path(chunnuan.planner.__file__).parent

# Layer of each module: a module may import modules of lower layers only. A new module gets a line here.
LAYERS = {
    "model": 0, "parallel": 0,  # shared types and constants; the process pool
    "demand": 1, "fleet": 1, "mix": 1,  # requests -> riders; carriers; coach mixes
    "route": 2,  # one route's search and bound
    "network": 3,  # the network and per-route work the steps share
    "assign": 4,  # day loads -> people, coaches, carriers
    "pool": 5,  # pooled trips (拼车) for the riders left
    "floor": 6,  # riders no coach under the rules could carry (the floor on 人数不足)
    "rail": 6,  # 专列（车厢）: riders on trains and their feeder coaches, before the coach plan
    "core": 7,  # plan()
    "replan": 8, "gate": 8, "io": 8,  # built on plan()
}
LOWER = {m for m, layer in LAYERS.items() if layer < LAYERS["core"]}


def _modules() -> dict[str, Path]:
    return {p.stem: p for p in sorted(SOURCE.glob("*.py")) if p.stem != "__init__"}


def _imports(path: Path) -> set[str]:
    """Planner modules `path` imports anywhere in its text; "" stands for the package itself (its facade)."""
    found: set[str] = set()
    modules = _modules()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x / from .core import y
                base = ".".join([PACKAGE, base]).rstrip(".")
            names = [base] if base != PACKAGE else [f"{base}.{a.name}" if a.name in modules else base
                                                    for a in node.names]
        else:
            continue
        for name in names:
            if name == PACKAGE:
                found.add("")
            elif name.startswith(PACKAGE + "."):
                found.add(name.removeprefix(PACKAGE + ".").split(".")[0])
    return found


def _graph() -> dict[str, set[str]]:
    return {m: _imports(p) - {m} for m, p in _modules().items()}


def test_every_planner_module_has_a_layer():
    assert set(_modules()) == set(LAYERS), "place a new planner module in LAYERS (and so in the layering)"


def test_the_reader_sees_imports_at_module_and_function_level(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text("from chunnuan.planner.core import plan\nimport chunnuan.planner.route\n"
                    "from chunnuan.planner import demand, plan\n\n\ndef f():\n    from .assign import x\n"
                    "    import numpy\n", encoding="utf-8")
    assert _imports(path) == {"core", "route", "demand", "", "assign"}
    assert {"assign", "fleet", "mix", "model", "network", "parallel", "route"} <= _graph()["core"]


def test_lower_layers_never_import_core_or_anything_above_them():
    graph = _graph()
    for module in sorted(LOWER):
        assert "core" not in graph[module], f"{module} imports core"
        assert "" not in graph[module], f"{module} imports the package facade (which imports core)"
    for module, imported in sorted(graph.items()):
        assert "" not in imported, f"{module} imports chunnuan.planner itself: import the module that holds the name"
        upward = sorted(m for m in imported if LAYERS[m] >= LAYERS[module])
        assert not upward, f"{module} (layer {LAYERS[module]}) imports {upward} of the same or a higher layer"


def test_no_import_cycle_inside_the_planner():
    graph = _graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(graph.get(module, ())):
            assert state.get(nxt) != 1, "import cycle: " + " -> ".join([*path, module, nxt])
            if nxt not in state:
                visit(nxt, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_the_pool_server_preloads_the_modules_of_its_work_functions():
    """Every function handed to parallel_map lives in a module parallel.PRELOAD names (by string, so a
    moved work function would otherwise silently cost each pool its imports again)."""
    given = []
    for name, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "parallel_map":
                fn = getattr(importlib.import_module(f"{PACKAGE}.{name}"), node.args[0].id)
                given.append(fn)
                assert fn.__module__ in parallel.PRELOAD, f"{fn.__module__}.{fn.__name__} is not preloaded"
    assert len(given) >= 2  # the route searches (core) and the rider assignment (assign)
    for module in parallel.PRELOAD:
        importlib.import_module(module)
