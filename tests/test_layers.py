"""Imports point down the pipeline only (STYLE.md): spec -> model -> analysis
-> emit -> render -> integrations. A test walks the imports with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).parent.parent / "src" / "protodoc"

# module (or package) -> protodoc modules it must never import
FORBIDDEN = {
    "errors": {
        "model",
        "spec",
        "analysis",
        "emit",
        "render",
        "pipeline",
        "cli",
        "sphinx",
        "generate",
    },
    "model": {"spec", "analysis", "emit", "render", "pipeline", "cli", "sphinx", "generate"},
    "spec": {"analysis", "emit", "render", "pipeline", "cli", "sphinx", "generate"},
    "analysis": {"spec", "emit", "render", "pipeline", "cli", "sphinx", "generate"},
    "emit": {"spec", "render", "pipeline", "cli", "sphinx", "generate"},
    "render": {"model", "spec", "analysis", "emit", "pipeline", "cli", "sphinx", "generate"},
    "pipeline": {"render", "cli", "sphinx", "generate"},
}
THIRD_PARTY_ONLY_IN = {"docutils": "sphinx", "sphinx": "sphinx", "playwright": "render"}


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        yield rel.parts[0], path


def _imports(path: Path) -> set[str]:
    """Top-level names imported: protodoc submodules as 'protodoc.X', others bare."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    depth = len(path.relative_to(PKG).parts) - 1  # package depth of this module
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {
                a.name.split(".")[0]
                if not a.name.startswith("protodoc.")
                else "protodoc." + a.name.split(".")[1]
                for a in node.names
            }
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                mod = node.module or ""
                out.add(
                    "protodoc." + mod.split(".")[1]
                    if mod.startswith("protodoc.") and "." in mod
                    else mod.split(".")[0]
                )
            else:
                up = node.level - 1
                if up > depth:
                    continue
                if up < depth:  # relative import inside our own package
                    continue
                if node.module:
                    out.add("protodoc." + node.module.split(".")[0])
                else:
                    out |= {"protodoc." + a.name for a in node.names}
    return out


@pytest.mark.parametrize(
    "top,path", list(_modules()), ids=lambda x: str(x) if isinstance(x, str) else x.name
)
def test_imports_point_down(top, path):
    imported = _imports(path)
    banned = {f"protodoc.{m}" for m in FORBIDDEN.get(top, ())}
    assert not (imported & banned), f"{path.relative_to(PKG)} imports {sorted(imported & banned)}"
    for lib, home in THIRD_PARTY_ONLY_IN.items():
        if lib in imported:
            assert top == home, f"{path.relative_to(PKG)} imports {lib}; only protodoc.{home} may"
