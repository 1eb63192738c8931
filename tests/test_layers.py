"""The layers import only downward: contracts <- adapters <- runtime <- workers, gateway <- mirage (entry points)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROJECT = ("contracts", "adapters", "runtime", "workers", "gateway", "mirage")
# what each layer may import of the project, besides itself
ALLOWED = {
    "contracts": set(),
    "adapters": {"contracts"},
    "runtime": {"contracts", "adapters"},
    "workers": {"contracts", "adapters", "runtime"},
    "gateway": {"contracts", "adapters", "runtime"},
    "mirage": {"contracts", "adapters", "runtime", "workers", "gateway"},
}


def imported_modules(path: Path) -> set[str]:
    """Every absolute module an import statement names, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def project_imports(layer: str) -> list[tuple[Path, str]]:
    return [(path, module) for path in sorted((ROOT / layer).rglob("*.py"))
            for module in imported_modules(path) if module.split(".")[0] in PROJECT]


@pytest.mark.parametrize("layer", PROJECT)
def test_a_layer_imports_only_the_layers_below_it(layer):
    wrong = [f"{path.relative_to(ROOT)} imports {module}" for path, module in project_imports(layer)
             if module.split(".")[0] not in ALLOWED[layer] | {layer}]
    assert not wrong, "\n".join(wrong)


def test_no_worker_imports_another_worker():
    wrong = []
    for path, module in project_imports("workers"):
        own = path.relative_to(ROOT / "workers").parts[0]
        parts = module.split(".")
        if parts[0] == "workers" and len(parts) > 1 and parts[1] != own:
            wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not wrong, "\n".join(wrong)


def test_the_rules_see_function_level_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from workers.ingest.main import attach\n    import gateway.app\n")
    assert imported_modules(sample) == {"workers.ingest.main", "gateway.app"}
