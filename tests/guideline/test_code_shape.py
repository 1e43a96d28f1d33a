"""Code shape: no module over 500 lines, no function over 80 lines (TEAM conventions).

Walks every Python file under ``cds_service/`` and ``fhir_mappings/`` with ``ast`` and names
each file or function over its limit (a function's length counts its decorators and
docstring: first decorator line to last body line).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("cds_service", "fhir_mappings")
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80


def _sources() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def _function_lengths(tree: ast.AST) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function and method, nested ones included."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            last = node.end_lineno or node.lineno
            out.append((node.name, first, last - first + 1))
    return out


def oversized(paths: list[Path]) -> list[str]:
    problems = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        lines = len(text.splitlines())
        if lines > MAX_FILE_LINES:
            problems.append(f"{where}: {lines} lines (limit {MAX_FILE_LINES})")
        for name, first, length in _function_lengths(ast.parse(text, filename=str(path))):
            if length > MAX_FUNCTION_LINES:
                problems.append(
                    f"{where}:{first} {name}: {length} lines (limit {MAX_FUNCTION_LINES})"
                )
    return problems


def test_the_walk_finds_the_packages() -> None:
    sources = _sources()
    assert len(sources) > 50
    assert ROOT / "cds_service" / "guideline" / "compose.py" in sources
    assert ROOT / "fhir_mappings" / "record.py" in sources


def test_no_file_over_500_lines_and_no_function_over_80_lines() -> None:
    assert oversized(_sources()) == []


def test_the_check_names_an_oversized_function_and_file(tmp_path: Path) -> None:
    at_limit = tmp_path / "at_limit.py"
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES - 2))
    at_limit.write_text(f"def fits():\n{body}    return 0\n", encoding="utf-8")
    assert oversized([at_limit]) == []

    over = tmp_path / "over.py"
    body = "".join(f"        x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES - 1))
    over.write_text(f"class C:\n    def long(self):\n{body}        return 0\n", encoding="utf-8")
    assert oversized([over]) == [f"{over}:2 long: 81 lines (limit 80)"]

    big = tmp_path / "big.py"
    big.write_text("".join(f"x{i} = {i}\n" for i in range(MAX_FILE_LINES + 1)), encoding="utf-8")
    assert oversized([big]) == [f"{big}: 501 lines (limit 500)"]
