"""How redeem/ hangs together: no import cycle anywhere, and the app needs neither the fake
GIFQ server, nor the demo, nor Pillow (they are not in the production image)."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Mapping

import grimp
import pytest

from tests.support.processes import ROOT


def cycles(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Every group of modules that import each other in a circle (Tarjan's strongly
    connected components of more than one module, or one that imports itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for imported in edges.get(module, ()):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in edges.get(module, ()):
                found.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle_and_nothing_else() -> None:
    assert cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert cycles({"a": ["a"]}) == [["a"]]
    assert cycles({"a": ["b"], "b": [], "c": ["b"]}) == []


def test_no_module_in_redeem_takes_part_in_an_import_cycle() -> None:
    # Every import counts, also one inside a function (it only hides a cycle until it runs);
    # imports only under TYPE_CHECKING do not run at all.
    graph = grimp.build_graph("redeem", exclude_type_checking_imports=True)
    assert len(graph.modules) > 50, "grimp did not see redeem/"
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    assert cycles(edges) == []


WITHOUT = """
import sys
for name in ("redeem.fake_gifq", "redeem.demo", "PIL"):
    sys.modules[name] = None  # `import` of it now raises ImportError
from redeem import create_app
app = create_app({"TESTING": True, "GIFQ_API_BASE": "http://127.0.0.1:9",
                  "SECRET_KEY": "k" * 64, "RATELIMIT_ENABLED": False})
client = app.test_client()
pages = {url: client.get(url).status_code for url in ("/", "/healthz", "/r/" + "A" * 43)}
assert pages == {"/": 200, "/healthz": 200, "/r/" + "A" * 43: 503}, pages
loaded = [m for m in sys.modules if m.startswith(("redeem.fake_gifq", "redeem.demo", "PIL"))]
assert all(sys.modules[m] is None for m in loaded), loaded
print("the app ran without them")
"""


def test_the_app_runs_with_the_fake_the_demo_and_pillow_unimportable() -> None:
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "the app ran without them" in done.stdout


def test_the_fake_without_pillow_says_in_one_line_how_to_install_it() -> None:
    script = (
        "import runpy, sys; sys.modules['PIL'] = None; sys.argv = ['x', '--port', '0'];"
        "runpy.run_module('redeem.fake_gifq', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Pillow" in done.stderr and "pip install" in done.stderr and "[fake]" in done.stderr


@pytest.mark.parametrize("extra", ["fake", "test"])
def test_pillow_comes_with_the_fake_and_test_extras_and_not_with_the_app(extra: str) -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if d.lower().startswith("pillow")]
    wanted = project["optional-dependencies"][extra]
    assert any(d.lower().startswith("pillow") or d.endswith("[fake]") for d in wanted)


def test_nothing_in_tests_imports_bench() -> None:
    # bench/ builds on tests/support/ (the journey driver, the processes); never the reverse.
    importers = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+bench\b", path.read_text(), re.M)
    ]
    assert importers == []
