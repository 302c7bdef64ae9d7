"""``connect-contract merge-reports``: join the reports of ``check --shard I/N`` runs into one.

Each shard of a CI matrix writes its own JUnit and Markdown report; this command joins them, in the
order given, into one JUnit ``testsuites`` document and one Markdown report (summary table first).
"""

from __future__ import annotations

from pathlib import Path

import click

from connect_contract.report_paths import report_options
from connect_contract.server import report


@click.command("merge-reports")
@click.argument("reports", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@report_options(
    markdown_help="Write the merged Markdown here (from the .md inputs).",
    junit_help="Write the merged JUnit XML here (from the .xml inputs).",
)
def merge_reports(reports: tuple[Path, ...], junitxml: Path | None, report_path: Path | None) -> None:
    """Merge the JUnit (.xml) and Markdown (.md) reports of `check --shard` runs."""
    xml = [path.read_text(encoding="utf-8") for path in reports if path.suffix == ".xml"]
    md = [path.read_text(encoding="utf-8") for path in reports if path.suffix == ".md"]
    if junitxml is None and report_path is None:
        raise click.UsageError("give --junitxml and/or --report to say where the merged report goes")
    if junitxml is not None:
        if not xml:
            raise click.UsageError("--junitxml needs .xml reports to merge")
        junitxml.write_text(report.merge_junit(xml), encoding="utf-8")
    if report_path is not None:
        if not md:
            raise click.UsageError("--report needs .md reports to merge")
        report_path.write_text(report.merge_markdown(md), encoding="utf-8")
    click.echo(f"merged {len(xml)} JUnit and {len(md)} Markdown report(s)")
