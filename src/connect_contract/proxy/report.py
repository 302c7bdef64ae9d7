"""What the proxy prints and writes: a live line per exchange, Markdown and JUnit at the end.

Every text here comes from :class:`~connect_contract.proxy.app.ExchangeRecord`, which holds redacted
targets and scrubbed findings only: no sensitive value, credential or signature reaches a report.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from connect_contract.atomic import write_atomic
from connect_contract.proxy.app import ExchangeRecord


def live_line(record: ExchangeRecord) -> str:
    status = "no answer" if record.status is None else str(record.status)
    operation = record.operation or "(no operation)"
    head = f"{record.verdict} #{record.number} {record.method} {record.target[:100]} {operation} -> {status}"
    head += f" ({record.elapsed_ms:.1f} ms)"
    details = "".join(f"\n    {f.level}: {f}" for f in record.findings)
    tail = f"\n    cassette: {record.recorded}" if record.recorded and record.recorded != "recorded" else ""
    return head + details + tail


def summary(records: Sequence[ExchangeRecord]) -> str:
    counts = Counter(r.verdict for r in records)
    parts = ", ".join(f"{counts[v]} {v.lower()}" for v in ("PASS", "WARN", "FAIL", "SKIP") if counts[v])
    recorded = sum(r.recorded == "recorded" for r in records)
    return f"proxy: {len(records)} exchanges" + (f": {parts}" if parts else "") + f"; {recorded} recorded"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(records: Sequence[ExchangeRecord], upstream_kind: str) -> str:
    lines = [
        "# connect-contract proxy report",
        "",
        f"Upstream: {upstream_kind}. {summary(records)}.",
        "",
        "| # | verdict | request | operation | status | ms | findings |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in records:
        findings = "<br>".join(_cell(f"{f.level} {f.side}: {f}") for f in r.findings) or ""
        status = "—" if r.status is None else str(r.status)
        lines.append(
            f"| {r.number} | {r.verdict} | `{_cell(r.method + ' ' + r.target[:80])}` | {r.operation or '—'} "
            f"| {status} | {r.elapsed_ms:.1f} | {findings} |"
        )
    rules = Counter(f.rule for r in records for f in r.findings if f.level == "required")
    if rules:
        lines += ["", "## Required rules that failed", "", "| rule | exchanges |", "|---|---|"]
        lines += [f"| {rule} | {count} |" for rule, count in sorted(rules.items())]
    return "\n".join(lines) + "\n"


def junit(records: Sequence[ExchangeRecord]) -> str:
    failed = sum(r.failed for r in records)
    skipped = sum(not r.judged for r in records)
    suite = ET.Element(
        "testsuite",
        name="connect-contract proxy",
        tests=str(len(records)),
        failures=str(failed),
        skipped=str(skipped),
        errors="0",
        time=f"{sum(r.elapsed_ms for r in records) / 1000:.3f}",
    )
    for r in records:
        case = ET.SubElement(
            suite,
            "testcase",
            classname=f"proxy.{r.operation or 'unknown'}",
            name=f"#{r.number} {r.method} {r.target[:100]}",
            time=f"{r.elapsed_ms / 1000:.3f}",
        )
        if not r.judged:
            ET.SubElement(case, "skipped", message="operation outside --operation: forwarded, not judged")
            continue
        required = [f for f in r.findings if f.level == "required"]
        if required:
            failure = ET.SubElement(case, "failure", message="; ".join(str(f) for f in required)[:500])
            failure.text = "\n".join(f"{f.side} {f}" for f in required)
        recommended = [f for f in r.findings if f.level == "recommended"]
        if recommended:
            ET.SubElement(case, "system-out").text = "\n".join(f"recommended: {f}" for f in recommended)
    return str(ET.tostring(suite, encoding="unicode", xml_declaration=True)) + "\n"


def write_reports(
    records: Sequence[ExchangeRecord], *, markdown_path: Path | None, junit_path: Path | None, upstream_kind: str
) -> None:
    if markdown_path is not None:
        write_atomic(markdown_path, markdown(records, upstream_kind))
    if junit_path is not None:
        write_atomic(junit_path, junit(records))
