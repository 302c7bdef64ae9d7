"""Rendering a :class:`~connect_contract.server.runner.RunResult`: live progress, terminal table,
Markdown report and JUnit XML.  Everything shown comes from the result, whose failure messages and
requests are already redacted (see :mod:`connect_contract.server.render`)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from connect_contract.operations import (
    DEFAULT_OPERATION,
    DEFAULT_SERVICE,
    ServiceOperation,
    load_service_operation,
    mission_operation,
)
from connect_contract.server.runner import CheckResult, RunResult
from connect_contract.server.transport import Exchange
from connect_contract.sigv4 import MISSING as MISSING_SIGNATURE

SHOWN_FAILURES = 1  # per failing check in the terminal; the Markdown report has all kept ones


def status_of(entry: CheckResult) -> str:
    unjudged = f" ({entry.unjudged} unjudged)" if entry.unjudged else ""
    if entry.cases == 0:
        return ("not exercised" if entry.check.must_exercise else "none provoked") + unjudged
    return ("PASS" if entry.passed else "FAIL") + unjudged


def _names(entries: list[CheckResult]) -> str:
    return ", ".join(r.check.id for r in entries)


def headline(result: RunResult, *, strict: bool) -> str:
    failed = result.failed(strict=strict)
    unexercised = result.unexercised()
    count = len(unexercised)
    not_run = f"{count} required check{'s' if count != 1 else ''} {'were' if count != 1 else 'was'} not exercised"
    if result.stopped:
        return f"FAILED: {result.stopped}"
    if failed:
        names = _names(failed)
        also = f"; {not_run}: {_names(unexercised)}" if unexercised else ""
        return f"FAILED: {len(failed)} check(s) failed: {names}{also}"
    if unexercised and strict:
        return f"FAILED (--strict): {not_run}: {_names(unexercised)}"
    kept = "every required and recommended check" if strict else "every required check"
    if unexercised:
        return f"PASSED, but {not_run}: {_names(unexercised)} (--strict fails on this)"
    return f"PASSED: {kept} passed"


def counts_line(result: RunResult) -> str:
    return (
        f"{result.cases} cases ({result.vector_cases} vectors + {result.generated_cases} generated) "
        f"in {result.wall_seconds:.2f} s ({result.cases_per_second:.0f} cases/s), seed {result.seed}"
    )


def _most_common(counter: Counter[str]) -> str:
    label, count = counter.most_common(1)[0]
    return f"{label} ({count}x)" if count > 1 else label


def valid_line(result: RunResult) -> str:
    other_answers = Counter(
        {label: n for label, n in result.valid_answers.items() if not label.startswith(("2", "no answer"))}
    )
    other = f", most often {_most_common(other_answers)}" if result.valid_other and other_answers else ""
    return (
        f"valid requests: {result.valid_accepted} answered 2xx, {result.valid_refused} refused with a modeled "
        f"error, {result.valid_other} other (5xx, unmodeled error, throttled or no answer{other}); a modeled "
        "refusal is allowed: the operation's semantics, such as a known State, are outside the contract"
    )


def protocol_line(result: RunResult) -> str | None:
    """One line when the endpoint does not speak restJson1 at all (an unrelated web server, a wrong port)."""
    if result.speaks_protocol():
        return None
    foreign = result.operation_answers - result.protocol_answers
    return (
        f"This endpoint does not speak the AWS restJson1 protocol: {foreign} of {result.operation_answers} answers "
        f"were neither JSON nor a typed error (most often {_most_common(result.foreign_answers)}). "
        "Is --endpoint the service's URL?"
    )


def hints(
    result: RunResult, endpoint: str | None, *, signed: bool, operation: ServiceOperation | None = None
) -> list[str]:
    """Likely causes of a failed run that are the command line's, not the server's (``operation``: the one
    checked; default: the one ``result`` names)."""
    op = operation if operation is not None else judged_operation(result)
    found = []
    if not signed and any(MISSING_SIGNATURE in f.message for f in result.checks["accepts_valid"].failures):
        found.append(f"hint: the endpoint answers {MISSING_SIGNATURE}: sign the requests with --sigv4")
    answered = sum(n for label, n in result.valid_answers.items() if label != "no answer")
    # A modeled 404 (ResourceNotFoundException for an id that does not exist) is the operation's own answer.
    modeled = {f"404 {error.name}" for error in op.errors}
    not_found = sum(n for label, n in result.valid_answers.items() if label.startswith("404 ") and label not in modeled)
    if answered and 2 * not_found > answered:
        uri = op.path_template
        path = urlsplit(endpoint or "").path.rstrip("/")
        if path.endswith(uri):
            advice = f"--endpoint ends with the operation's path {uri}; give the base URL without it"
        else:
            where = f" ({path})" if path else ""
            advice = f"is --endpoint's base path{where} right? The harness appends the operation's path {uri} to it"
        found.append(f"hint: {not_found} of {answered} valid requests were answered 404: {advice}")
    return found


def judged_operation(result: RunResult) -> ServiceOperation:
    """The operation ``result`` judged: the one it names; a result naming none was run with
    ``Settings(operation=None)``, which means the mission operation."""
    if result.operation is None or result.service is None:
        return mission_operation()
    return load_service_operation(result.service, result.operation)


def _notes(entry: CheckResult) -> list[str]:
    return [f"not judged: {reason}" for reason in entry.unjudged_reasons]


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


def print_failures(console: Console, result: RunResult) -> None:
    """Each failing check's first failure (message, where the case came from, request, curl line), then
    why any case went unjudged."""
    for entry in result.checks.values():
        for failure in entry.failures[:SHOWN_FAILURES]:
            console.print(f"\n[bold]{entry.check.id}[/bold] ({entry.check.level}): {escape(failure.message)}")
            console.print(f"  from {escape(failure.source)}", style="dim")
            console.print(escape(failure.request), soft_wrap=True, highlight=False)
            console.print(escape(failure.curl), soft_wrap=True, highlight=False, style="cyan")
    for entry in result.checks.values():
        for note in _notes(entry):
            console.print(f"\n[bold]{entry.check.id}[/bold]: {escape(note)}", soft_wrap=True)


def print_summary(console: Console, result: RunResult, *, strict: bool) -> None:
    alarm = protocol_line(result)
    if alarm:
        console.print(f"[bold red]{escape(alarm)}[/]", soft_wrap=True)
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
    print_failures(console, result)
    console.print(f"\n{counts_line(result)}")
    console.print(valid_line(result), style="dim")
    verdict = headline(result, strict=strict)
    console.print(f"[bold {'green' if result.ok(strict=strict) else 'red'}]{escape(verdict)}[/]")


def markdown(result: RunResult, *, strict: bool) -> str:
    alarm = protocol_line(result)
    lines = [
        "# Server conformance report",
        "",
        *([f"**{alarm}**", ""] if alarm else []),
        f"- endpoint: `{result.endpoint}`",
        f"- operation: `{operation_label(result)}`",
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
    unexercised = result.unexercised()
    if unexercised:
        lines += ["", f"Required checks not exercised by any case: {_names(unexercised)}."]
    for entry in result.checks.values():
        if entry.unjudged_reasons:
            lines += ["", f"## `{entry.check.id}`: {entry.unjudged} unjudged case(s)", ""]
            lines += [f"- {note}" for note in _notes(entry)]
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
    alarm = protocol_line(result)
    for name, value in (("endpoint", result.endpoint), ("seed", str(result.seed)), ("cases", str(result.cases))):
        ET.SubElement(properties, "property", name=name, value=value)
    if alarm:
        ET.SubElement(properties, "property", name="protocol", value=alarm)
    for entry in result.checks.values():
        case = ET.SubElement(suite, "testcase", classname=f"server.{entry.check.level}", name=entry.check.id)
        if entry.check.id in failing:
            first = entry.failures[0] if entry.failures else None
            node = ET.SubElement(
                case, "failure", message=first.message if first else "failed", type=f"{entry.failure_count} failure(s)"
            )
            node.text = "\n\n".join(f"{f.message} (from {f.source})\n{f.request}\n{f.curl}" for f in entry.failures)
        elif entry.cases == 0 and entry.check.level == "required" and entry.check.must_exercise and strict:
            ET.SubElement(case, "failure", message="required check not exercised by any case (--strict)")
        elif entry.cases == 0:
            required = entry.check.level == "required" and entry.check.must_exercise
            reason = "required check not exercised by any case" if required else ""
            ET.SubElement(case, "skipped", message=reason or "not exercised by any case")
        elif not entry.passed:  # a recommended check failed without --strict: visible, not failing
            ET.SubElement(case, "system-out").text = "\n".join(f.message for f in entry.failures)
        if entry.unjudged_reasons:
            ET.SubElement(case, "system-err").text = "\n".join(_notes(entry))
    if result.stopped:
        case = ET.SubElement(suite, "testcase", classname="server.required", name="endpoint_judged")
        ET.SubElement(case, "failure", message=result.stopped)
    suite.set("tests", str(len(suite.findall("testcase"))))
    suite.set("failures", str(len(suite.findall("testcase/failure"))))
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


# --- several operations (``check --operation all|GLOB``, ``--shard``, ``merge-reports``) ----------------


def operation_label(result: RunResult) -> str:
    """``service:Operation`` of the result (text only: a label never needs the model)."""
    return f"{result.service}:{result.operation}" if result.operation else f"{DEFAULT_SERVICE}:{DEFAULT_OPERATION}"


def verdict_word(result: RunResult, *, strict: bool) -> str:
    return "PASS" if result.ok(strict=strict) else "FAIL"


def print_operations(
    console: Console, results: list[RunResult], *, strict: bool, rerun: Callable[[RunResult], str] | None = None
) -> None:
    """One row per operation: its verdict, cases, and the checks that failed; then each failed operation's
    failures, as a one-operation run shows them, with ``rerun(result)``: the command that repeats it."""
    table = Table(title=f"Server conformance: {len(results)} operations", title_justify="left")
    for column in ("operation", "cases", "result", "failed checks"):
        table.add_column(column, justify="right" if column == "cases" else "left")
    for result in results:
        word = verdict_word(result, strict=strict)
        failed = _names(result.failed(strict=strict)) or (result.stopped or "")
        style = "green" if word == "PASS" else "red"
        table.add_row(operation_label(result), str(result.cases), f"[{style}]{word}[/{style}]", escape(failed))
    console.print(table)
    for result in results:
        if result.ok(strict=strict):
            continue
        console.print(f"\n[bold red]{escape(operation_label(result))}[/]: {escape(headline(result, strict=strict))}")
        print_failures(console, result)
        if rerun is not None:
            console.print(f"\n  rerun: {escape(rerun(result))}", soft_wrap=True, highlight=False)
    passed = sum(result.ok(strict=strict) for result in results)
    total_cases = sum(result.cases for result in results)
    seconds = sum(result.wall_seconds for result in results)  # summed per operation: workers overlap
    verdict = "PASSED" if passed == len(results) else "FAILED"
    line = f"{verdict}: {passed} of {len(results)} operations passed ({total_cases} cases, {seconds:.1f} s of checking)"
    console.print(f"[bold {'green' if verdict == 'PASSED' else 'red'}]{escape(line)}[/]")


def markdown_many(results: list[RunResult], *, strict: bool) -> str:
    """A summary table of the operations, then each operation's own report as a section."""
    lines = [
        "# Server conformance report",
        "",
        "| operation | cases | result | failed checks |",
        "|---|---:|---|---|",
    ]
    for result in results:
        failed = _names(result.failed(strict=strict))
        lines.append(
            f"| `{operation_label(result)}` | {result.cases} | {verdict_word(result, strict=strict)} | {failed} |"
        )
    for result in results:
        body = markdown(result, strict=strict).replace("# Server conformance report", "", 1).strip("\n")
        lines += ["", f"## {operation_label(result)}", "", body.replace("\n## ", "\n### ")]
    return "\n".join(lines) + "\n"


def junit_xml_many(results: list[RunResult], *, strict: bool) -> str:
    """A JUnit ``testsuites`` document with one ``testsuite`` per operation."""
    suites = ET.Element("testsuites", name="connect-contract server conformance")
    for result in results:
        suite = ET.fromstring(junit_xml(result, strict=strict).split("?>", 1)[1])
        suite.set("name", f"connect-contract server conformance: {operation_label(result)}")
        for case in suite.findall("testcase"):
            case.set("classname", f"{operation_label(result)}.{case.get('classname', '')}")
        suites.append(suite)
    return render_suites(suites)


def render_suites(suites: ET.Element) -> str:
    suites.set("tests", str(sum(int(s.get("tests", "0")) for s in suites.findall("testsuite"))))
    suites.set("failures", str(sum(int(s.get("failures", "0")) for s in suites.findall("testsuite"))))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def merge_junit(texts: list[str]) -> str:
    """The shards' JUnit files as one ``testsuites`` document (each shard's suites, in the given order)."""
    merged = ET.Element("testsuites", name="connect-contract server conformance")
    for text in texts:
        root = ET.fromstring(text.split("?>", 1)[1] if text.startswith("<?xml") else text)
        merged.extend(root.findall("testsuite") if root.tag == "testsuites" else [root])
    return render_suites(merged)


def merge_markdown(texts: list[str]) -> str:
    """The shards' Markdown reports as one: the summary tables joined, then every section."""
    rows: list[str] = []
    sections: list[str] = []
    for text in texts:
        head, _, rest = text.partition("\n## ")
        rows += [line for line in head.splitlines() if line.startswith("| `")]
        if rest:
            sections.append("## " + rest.rstrip("\n"))
        elif not rows or not head.strip():
            continue
        else:  # a single-operation report: the whole document is its section
            sections.append(head.replace("# Server conformance report", "## (single operation)", 1).strip("\n"))
    lines = ["# Server conformance report", "", "| operation | cases | result | failed checks |", "|---|---:|---|---|"]
    return "\n".join([*lines, *rows, "", *("\n\n".join(sections).splitlines())]) + "\n"
