"""The house rules of the package, read from its source (docs/architecture.md).

Imports point only down the layer table, with no circle however lazy the
import; ``compat`` imports nothing of the product; the block never touches the
database itself; modules and functions stay a size a reader can hold.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "upstream_xblock"

# The layer table, top to bottom: an import may only point to the same or a lower layer.
LAYERS = ["block", "staff", "tracking", "identity", "policy", "forges", "compat",
          "foundation"]
# The app's plumbing sits above every layer (it wires them together for Django and Celery).
PLUMBING = {"apps", "tasks", "models", "urls", "__main__", "management", "migrations"}
FOUNDATION = {"errors", "i18n", "throttle", "__init__"}
MAX_FILE_LINES, MAX_FUNCTION_LINES, MAX_MODULES = 400, 60, 90


def modules():
    """{dotted name: path} of the package's modules, migrations aside."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if "migrations" in parts:
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def room_of(name):
    """The first component under the package: a room (block, staff...) or a top module."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_of(name):
    room = room_of(name)
    if room in PLUMBING:
        return None
    if room in FOUNDATION:
        return "foundation"
    return room


def imports_of(name, path):
    """Every module of the package that ``name`` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    known, found = modules(), set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
                elif target in known:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
    found.discard(name)
    return found


def graph():
    return {name: imports_of(name, path) for name, path in modules().items()}


def test_the_layer_table_names_every_room():
    rooms = {room_of(name) for name in modules()}
    assert rooms <= set(LAYERS) | PLUMBING | FOUNDATION, rooms


def test_imports_point_only_down():
    upward = []
    for name, targets in graph().items():
        layer = layer_of(name)
        for target in targets:
            target_layer = layer_of(target)
            if layer is None or target_layer is None and room_of(target) == "models":
                continue  # the plumbing wires every room; models.py is the app's model index
            if target_layer is None or LAYERS.index(target_layer) < LAYERS.index(layer):
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_no_circle_of_imports():
    edges = graph()
    circles, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for target in sorted(edges.get(node, ())):
            if state.get(target) == "open":
                circles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[node] = "done"

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_the_block_never_touches_the_database():
    for name, path in modules().items():
        if room_of(name) != "block":
            continue
        source = path.read_text(encoding="utf-8")
        assert ".objects." not in source and ".save(" not in source, name
        assert not any(target.endswith(".models") or target == "upstream_xblock.models"
                       for target in imports_of(name, path)), name


def test_compat_imports_nothing_of_the_product():
    for name, path in modules().items():
        if room_of(name) == "compat":
            assert {room_of(t) for t in imports_of(name, path)} <= {"compat"}, name


@pytest.mark.parametrize("name", sorted(modules()))
def test_a_module_is_a_size_a_reader_can_hold(name):
    path = modules()[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_FILE_LINES
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert node.end_lineno - node.lineno + 1 <= MAX_FUNCTION_LINES, node.name


def test_the_package_keeps_few_rooms():
    assert len(modules()) <= MAX_MODULES


def test_the_block_class_has_at_most_six_mixins_of_its_own():
    from upstream_xblock.block import UpstreamContributionBlock
    own = [base for base in UpstreamContributionBlock.__bases__
           if base.__module__.startswith("upstream_xblock.")]
    assert len(own) <= 6, own
