"""Rendering a :class:`~connect_contract.server.runner.RunResult`: live progress, terminal table,
Markdown report and JUnit XML.  Everything shown comes from the result, whose failure messages and
requests are already redacted (see :mod:`connect_contract.server.render`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from connect_contract.server.runner import CheckResult, RunResult
from connect_contract.server.transport import Exchange

SHOWN_FAILURES = 1  # per failing check in the terminal; the Markdown report has all kept ones


def status_of(entry: CheckResult) -> str:
    if entry.cases == 0:
        return "not exercised"
    return "PASS" if entry.passed else "FAIL"


def headline(result: RunResult, *, strict: bool) -> str:
    failed = result.failed(strict=strict)
    if result.stopped:
        return f"FAILED: {result.stopped}"
    if failed:
        names = ", ".join(r.check.id for r in failed)
        return f"FAILED: {len(failed)} check(s) failed: {names}"
    kept = "every required and recommended check" if strict else "every required check"
    return f"PASSED: {kept} passed"


def counts_line(result: RunResult) -> str:
    return (
        f"{result.cases} cases ({result.vector_cases} vectors + {result.generated_cases} generated) "
        f"in {result.wall_seconds:.2f} s ({result.cases_per_second:.0f} cases/s), seed {result.seed}"
    )


def valid_line(result: RunResult) -> str:
    return (
        f"valid requests: {result.valid_accepted} answered 2xx, {result.valid_refused} refused "
        "(a modeled error is allowed: the operation's semantics, such as a known State, are outside the contract)"
    )


@contextmanager
def live_progress(console: Console, total_vectors: int) -> Iterator[Callable[[Exchange, list[str]], None]]:
    """A transient progress line (vectors, generated cases, failures); yields the runner listener."""
    progress = Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    )
    task = progress.add_task("starting", total=None)
    state = {"cases": 0, "failures": 0}

    def listener(exchange: Exchange, failed: list[str]) -> None:
        state["cases"] += 1
        state["failures"] += bool(failed)
        done = state["cases"]
        phase = f"vectors {done}/{total_vectors}" if done <= total_vectors else f"generated {done - total_vectors}"
        progress.update(task, description=f"{phase} · {state['failures']} failing case(s)")

    with progress:
        yield listener


def print_summary(console: Console, result: RunResult, *, strict: bool) -> None:
    table = Table(title=f"Server conformance: {escape(result.endpoint)}", title_justify="left")
    for column in ("check", "level", "cases", "failures", "result"):
        table.add_column(column, justify="right" if column in ("cases", "failures") else "left")
    for entry in result.checks.values():
        status = status_of(entry)
        style = {"PASS": "green", "FAIL": "red" if entry.check.level == "required" or strict else "yellow"}.get(
            status, "dim"
        )
        table.add_row(
            entry.check.id,
            entry.check.level,
            str(entry.cases),
            str(entry.failure_count),
            f"[{style}]{status}[/{style}]",
        )
    console.print(table)
    for entry in result.checks.values():
        for failure in entry.failures[:SHOWN_FAILURES]:
            console.print(f"\n[bold]{entry.check.id}[/bold] ({entry.check.level}): {escape(failure.message)}")
            console.print(f"  from {escape(failure.source)}", style="dim")
            console.print(escape(failure.request), soft_wrap=True, highlight=False)
            console.print(escape(failure.curl), soft_wrap=True, highlight=False, style="cyan")
    console.print(f"\n{counts_line(result)}")
    console.print(valid_line(result), style="dim")
    verdict = headline(result, strict=strict)
    console.print(f"[bold {'green' if result.ok(strict=strict) else 'red'}]{escape(verdict)}[/]")


def markdown(result: RunResult, *, strict: bool) -> str:
    lines = [
        "# Server conformance report",
        "",
        f"- endpoint: `{result.endpoint}`",
        f"- {counts_line(result)}",
        f"- {valid_line(result)}",
        f"- verdict: **{headline(result, strict=strict)}**",
        "",
        "| check | level | cases | failures | result |",
        "|---|---|---:|---:|---|",
    ]
    for entry in result.checks.values():
        lines.append(
            f"| `{entry.check.id}` | {entry.check.level} | {entry.cases} | {entry.failure_count} | {status_of(entry)} |"
        )
    for entry in result.checks.values():
        if not entry.failures:
            continue
        lines += ["", f"## `{entry.check.id}` ({entry.check.level}): {entry.failure_count} failure(s)", ""]
        for failure in entry.failures:
            lines += [
                f"- {failure.message} (from {failure.source})",
                "",
                "  ```",
                *("  " + line for line in failure.request.splitlines()),
                "  ```",
                "  ```bash",
                f"  {failure.curl}",
                "  ```",
            ]
    return "\n".join(lines) + "\n"


def junit_xml(result: RunResult, *, strict: bool) -> str:
    failing = {r.check.id for r in result.failed(strict=strict)}
    suite = ET.Element(
        "testsuite",
        name="connect-contract server conformance",
        tests=str(len(result.checks)),
        failures=str(len(failing)),
        time=f"{result.wall_seconds:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (("endpoint", result.endpoint), ("seed", str(result.seed)), ("cases", str(result.cases))):
        ET.SubElement(properties, "property", name=name, value=value)
    for entry in result.checks.values():
        case = ET.SubElement(suite, "testcase", classname=f"server.{entry.check.level}", name=entry.check.id)
        if entry.check.id in failing:
            first = entry.failures[0] if entry.failures else None
            node = ET.SubElement(
                case, "failure", message=first.message if first else "failed", type=f"{entry.failure_count} failure(s)"
            )
            node.text = "\n\n".join(f"{f.message} (from {f.source})\n{f.request}\n{f.curl}" for f in entry.failures)
        elif entry.cases == 0:
            ET.SubElement(case, "skipped", message="not exercised by any case")
        elif not entry.passed:  # a recommended check failed without --strict: visible, not failing
            ET.SubElement(case, "system-out").text = "\n".join(f.message for f in entry.failures)
    if result.stopped:
        case = ET.SubElement(suite, "testcase", classname="server.required", name="endpoint_judged")
        ET.SubElement(case, "failure", message=result.stopped)
    suite.set("tests", str(len(suite.findall("testcase"))))
    suite.set("failures", str(len(suite.findall("testcase/failure"))))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
