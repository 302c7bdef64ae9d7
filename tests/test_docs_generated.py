"""The manual's generated tables (docs/generated/, written by tools/gen_docs_tables.py) against what the suite
already proves, without running a real client or moto again: a table that drifted from the covering set, from
tests/server/test_moto.py's pinned verdicts or from the JS v2 failures tests/client/test_js_v2_client.py pins
fails here, and the fix is to regenerate it (`tools/gen_docs_tables.py {client-matrix,moto} --write`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from connect_contract.client.covering import COVERING_SET, UNCOVERED, coverage

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "docs" / "generated"
REGENERATE = "stale: run `.venv/bin/python tools/gen_docs_tables.py {} --write` and commit the table"
_ROW = re.compile(r"^\|(.+)\|$", re.MULTILINE)


def rows(text: str) -> list[list[str]]:
    """The cells of every Markdown table row, header rows included, rule rows (`|---|`) left out."""
    found = [[cell.strip() for cell in re.split(r"(?<!\\)\|", match[1])] for match in _ROW.finditer(text)]
    return [cells for cells in found if not all(re.fullmatch(r":?-+:?", cell) for cell in cells)]


def pinned(path: Path, *names: str) -> dict[str, Any]:
    """Module-level constants of a test file, evaluated without importing it (nor its helpers, nor moto)."""
    module = ast.parse(path.read_text(encoding="utf-8"))
    wanted = [
        node
        for node in module.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and any(isinstance(t, ast.Name) for t in (node.targets if isinstance(node, ast.Assign) else [node.target]))
    ]
    namespace: dict[str, Any] = {}
    for node in wanted:  # in file order, so MISSING_MEMBER_500 exists before EXPECTED uses it
        try:
            exec(compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec"), namespace)
        except NameError:
            continue  # a constant built from imports this test does not need
    return {name: namespace[name] for name in names}


def section(text: str, name: str) -> str:
    return text.split(f"[start:{name}]", 1)[1].split(f"[end:{name}]", 1)[0]


def ticked(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


# --- moto --------------------------------------------------------------------------------------------


def moto_rows() -> dict[str, list[str]]:
    text = (GENERATED / "moto.md").read_text(encoding="utf-8")
    return {cells[0].strip("`"): cells for cells in rows(text)[1:]}


def test_the_moto_table_holds_the_verdicts_test_moto_pins() -> None:
    expected: dict[str, set[str]] = pinned(ROOT / "tests" / "server" / "test_moto.py", "EXPECTED")["EXPECTED"]
    table = moto_rows()
    assert set(table) == set(expected), REGENERATE.format("moto")
    for operation, failing in expected.items():
        verdict, required = table[operation][1], ticked(table[operation][2])
        assert (verdict, required) == ("FAIL" if failing else "PASS", failing), REGENERATE.format("moto")


def test_each_genuine_deviation_of_moto_is_explained_on_its_page() -> None:
    """docs/moto.md explains, operation by operation, the required checks the generated table shows failing."""
    from connect_contract.server.checks import CHECKS

    check_ids = {check.id for check in CHECKS}
    page = (ROOT / "docs" / "moto.md").read_text(encoding="utf-8")
    explained = {cells[0].strip("`"): ticked(cells[1]) & check_ids for cells in rows(page)[1:]}
    failing = {operation: ticked(cells[2]) for operation, cells in moto_rows().items() if cells[1] != "PASS"}
    assert explained == failing


# --- client matrix -----------------------------------------------------------------------------------


def client_matrix() -> str:
    return (GENERATED / "client-matrix.md").read_text(encoding="utf-8")


def test_the_client_matrix_lists_the_covering_set_and_its_pairs() -> None:
    covering = section(client_matrix(), "covering")
    found = [cells[0].strip("`") for cells in rows(covering) if re.fullmatch(r"`[\w-]+:\w+`", cells[0])]
    assert found == [f"{service}:{name}" for service, name in COVERING_SET], REGENERATE.format("client-matrix")
    pairs = {tuple(cells[:3]): cells[3] for cells in rows(covering) if cells[0] in ("in", "out")}
    assert set(pairs) == set(coverage()) | set(UNCOVERED), REGENERATE.format("client-matrix")
    assert all(pairs[pair].startswith("not covered:") for pair in UNCOVERED)


def test_the_client_matrix_shows_the_verdicts_the_suite_proves() -> None:
    """boto3, the AWS CLI and JS v3 fail no required vector (tests/client/test_anyop_real_clients.py,
    tests/conformance/test_client.py); JS v2 fails exactly the error-type rows test_js_v2_client.py pins."""
    text = client_matrix()
    assert "BROKEN" not in text
    assert "FAIL" not in section(text, "covering"), REGENERATE.format("client-matrix")
    genuine = pinned(ROOT / "tests" / "client" / "test_js_v2_client.py", "GENUINE_FAILURES")["GENUINE_FAILURES"]
    mission = rows(section(text, "mission"))
    assert mission[0][3:] == ["boto3", "awscli", "js", "js-v2"]
    failing = {cells[0] for cells in mission[1:] if any("FAIL" in c for c in cells[3:])}
    assert failing == {f"`error.*.{name} (6)`" for name in genuine}, REGENERATE.format("client-matrix")
    assert all("FAIL" not in c for cells in mission[1:] for c in cells[3:6])  # only the js-v2 column fails
