"""Output people would rather look at: the vector x client matrix (terminal and Markdown), the list of
failures with expected/actual, and JUnit XML for CI.

A matrix row is a vector *group* (the same template across every error or member), so the matrix stays
readable; any cell that is not a clean pass is explained, vector by vector, in the table below it.
Everything shown comes from :class:`Judgement` objects, whose details are already redacted.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from connect_contract.client.judge import Judgement
from connect_contract.client.runner import ClientRun
from connect_contract.model import load_operation

# Worst first: the cell shows the worst verdict among the group's vectors.
_RANK = {"broken": 0, "fail": 1, "differs": 2, "rejected": 3, "pass": 4}
_STYLE = {"broken": "bold red", "fail": "bold red", "differs": "yellow", "rejected": "cyan", "pass": "green"}


@dataclass(frozen=True)
class Cell:
    status: str  # broken | fail | differs | rejected | pass
    text: str


def status_of(judgement: Judgement, *, strict: bool = False) -> str:
    if judgement.verdict == "fail" and not judgement.vector.required and not strict:
        return "differs"  # a recommendation: reported, not failed
    return judgement.verdict


def _cell(judgements: Sequence[Judgement], strict: bool) -> Cell:
    if not judgements:
        return Cell("pass", "–")
    statuses = [status_of(j, strict=strict) for j in judgements]
    worst = min(statuses, key=_RANK.__getitem__)
    count = sum(s == worst for s in statuses)
    of = f" {count}/{len(statuses)}" if len(statuses) > 1 else ""
    attempts = {j.attempts for j in judgements}
    tries = ""
    if any(j.vector.expect.attempts for j in judgements):
        tries = f" ({'/'.join(str(a) for a in sorted(attempts))} attempt{'s' if max(attempts) != 1 else ''})"
    if worst == "pass":
        return Cell(worst, f"pass{tries}")
    if worst == "rejected":
        return Cell(worst, f"rejected locally{of}")
    example = next(j for j, s in zip(judgements, statuses, strict=True) if s == worst)
    label = {"broken": "BROKEN", "fail": "FAIL", "differs": "differs"}[worst]
    return Cell(worst, f"{label}{of}: {example.outcome}{tries}")


def _groups(runs: Sequence[ClientRun]) -> dict[str, list[str]]:
    """Group name -> vector ids, in first-seen vector order."""
    groups: dict[str, list[str]] = {}
    for run in runs:
        for vector_id, judgement in run.judgements.items():
            ids = groups.setdefault(judgement.vector.group, [])
            if vector_id not in ids:
                ids.append(vector_id)
    return groups


def matrix(runs: Sequence[ClientRun], *, strict: bool = False) -> list[tuple[str, str, str, list[Cell]]]:
    """Rows of (group, required/recommended, what is expected, one cell per client)."""
    rows = []
    for group, ids in _groups(runs).items():
        first = next(run.judgements[ids[0]] for run in runs if ids[0] in run.judgements)
        vector = first.vector
        expected: str = vector.expect.outcome
        if vector.kind == "request":
            expected = "nulls absent" if None in vector.input.values() else "sent as given"
            expected += "" if vector.input_valid else " (or refused)"
        if vector.expect.code:
            expected = f"error {vector.expect.code if len(ids) == 1 else '(its type)'}"
            expected += " + message" if vector.expect.messages else ""
        if vector.expect.attempts:
            expected += ", retried" if vector.expect.attempts == "retried" else ", 1 attempt"
        level = "required" if vector.required else "recommended"
        cells = [_cell([run.judgements[i] for i in ids if i in run.judgements], strict) for run in runs]
        rows.append((f"{group} ({len(ids)})" if len(ids) > 1 else group, level, expected, cells))
    return rows


def problems(runs: Sequence[ClientRun], *, strict: bool = False) -> list[tuple[str, str, str, str, str]]:
    """(client, vector, status, rule, detail) for every vector that is not a clean pass."""
    found = []
    for run in runs:
        for judgement in run.judgements.values():
            status = status_of(judgement, strict=strict)
            if status == "pass":
                continue
            if status == "rejected":
                found.append((run.client, judgement.vector.id, status, "-", "refused the input before sending"))
            for check in judgement.failures:
                found.append((run.client, judgement.vector.id, status, check.rule, check.detail))
    return found


def summary(run: ClientRun, *, strict: bool = False) -> str:
    required = [j for j in run.judgements.values() if j.vector.required]
    recommended = [j for j in run.judgements.values() if not j.vector.required]
    ok_required = sum(j.verdict in ("pass", "rejected") for j in required)
    ok_recommended = sum(j.verdict in ("pass", "rejected") for j in recommended)
    verdict = "FAIL" if run.failed(strict=strict) else "PASS"
    return (
        f"{run.client}: {verdict} — required {ok_required}/{len(required)}, "
        f"recommended {ok_recommended}/{len(recommended)} ({run.elapsed:.1f}s)"
    )


def print_matrix(runs: Sequence[ClientRun], console: Console, *, strict: bool = False, details: int = 40) -> None:
    """The matrix, then every failure with expected vs. actual (differences and rejections are in the
    matrix and, one by one, in the Markdown report)."""
    table = Table(title="Client conformance")
    table.add_column("vector", overflow="fold")
    table.add_column("level")
    table.add_column("expected", overflow="fold")
    for run in runs:
        table.add_column(run.client, overflow="fold")
    for group, level, expected, cells in matrix(runs, strict=strict):
        table.add_row(group, level, expected, *(f"[{_STYLE[c.status]}]{c.text}[/]" for c in cells))
    console.print(table)
    found = problems(runs, strict=strict)
    failing = [row for row in found if row[2] in ("fail", "broken")]
    if failing:
        listing = Table(title="Failures (expected vs. what happened)")
        for name in ("client", "vector", "rule", "detail"):
            listing.add_column(name, overflow="fold")
        for client, vector, _, rule, detail in failing[:details]:
            listing.add_row(client, vector, rule, detail)
        console.print(listing)
        if len(failing) > details:
            console.print(f"... and {len(failing) - details} more (see --report)")
    others = len({(c, v) for c, v, s, _, _ in found if s not in ("fail", "broken")})
    if others:
        console.print(f"{others} recommendation difference(s) or local rejection(s): --report lists each one")
    for run in runs:
        console.print(summary(run, strict=strict))


def botocore_version() -> str:
    return load_operation().botocore_version


def _md(text: str) -> str:
    """Safe inside a Markdown table cell (no column breaks, no stray HTML tags)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|").replace("\n", " ")


def group_sources(runs: Sequence[ClientRun]) -> list[str]:
    """The Smithy test or spec rule of each matrix row, in :func:`matrix` order (one source per group)."""
    by_id = {vector_id: j.vector for run in runs for vector_id, j in run.judgements.items()}
    return [by_id[ids[0]].source for ids in _groups(runs).values()]


def markdown(runs: Sequence[ClientRun], *, strict: bool = False) -> str:
    clients = [run.client for run in runs]
    lines = ["| vector | level | expected | " + " | ".join(clients) + " | stands on |"]
    lines.append("|---|---|---|" + "---|" * len(clients) + "---|")
    rows = zip(matrix(runs, strict=strict), group_sources(runs), strict=True)
    for (group, level, expected, cells), source in rows:
        row = f"| `{group}` | {level} | {_md(expected)} | " + " | ".join(_md(c.text) for c in cells)
        lines.append(f"{row} | {_md(source)} |")
    count = len({vector_id for run in runs for vector_id in run.judgements})
    source = (
        f"{count} vectors from `contracts/vectors/client.json` (`client-bindings.json` for other operations), "
        f"expanded against botocore {botocore_version()}'s model"
    )
    out = ["# Client conformance", "", source, "", *(f"- {summary(run, strict=strict)}" for run in runs), "", *lines]
    found = problems(runs, strict=strict)
    if found:
        out += ["", "## Not a clean pass", "", "| client | vector | status | rule | expected vs. happened |"]
        out.append("|---|---|---|---|---|")
        out += [f"| {c} | `{v}` | {s} | `{r}` | {_md(d)} |" for c, v, s, r, d in found]
    return "\n".join(out) + "\n"


def junit_xml(runs: Sequence[ClientRun], path: Path, *, strict: bool = False) -> None:
    suites = ET.Element("testsuites", name="connect-contract check-client")
    for run in runs:
        failures = run.failed(strict=strict)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"check-client[{run.client}]",
            tests=str(len(run.judgements)),
            failures=str(len(failures)),
            time=f"{run.elapsed:.3f}",
        )
        for vector_id, judgement in run.judgements.items():
            case = ET.SubElement(suite, "testcase", classname=f"check_client.{run.client}", name=vector_id)
            status = status_of(judgement, strict=strict)
            text = "; ".join(f"[{c.rule}] {c.detail}" for c in judgement.failures)
            if status in ("fail", "broken"):
                ET.SubElement(case, "failure", message=text[:500], type=status).text = text
            elif status == "differs":
                ET.SubElement(case, "skipped", message=f"recommendation: {text[:480]}")
            elif status == "rejected":
                ET.SubElement(case, "skipped", message="refused the input before sending (allowed)")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(suites).write(path, encoding="utf-8", xml_declaration=True)
