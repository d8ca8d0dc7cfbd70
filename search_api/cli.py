"""The `vanban` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.model import Document, Segment, VanbanError
from ingest.pipeline import parse_file
from nlp.analyze import analyze
from search_api import config
from search_api.ingesting import FileOutcome, IngestReport, analyze_for_record, collect_files, ingest_file
from search_api.record import Record

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False)


def _error(message: str) -> None:
    # One plain line, never wrapped: scripts and people both read it.
    sys.stderr.write(f"vanban: error: {' '.join(message.split())}\n")


# -- parse ------------------------------------------------------------------------------------


def cmd_parse(args: argparse.Namespace) -> int:
    try:
        document = analyze(parse_file(args.file, config.max_file_bytes()))
    except VanbanError as exc:
        _error(f"{args.file}: {exc}")
        return 1
    if args.json:
        sys.stdout.write(json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return 0
    _print_outline(document)
    return 0


def _print_outline(document: Document) -> None:
    facts = Table.grid(padding=(0, 2))
    for name, value in (
        ("Loại", document.type),
        ("Số hiệu", document.number),
        ("Cơ quan ban hành", document.issuer),
        ("Ngày", document.date),
        ("Trích yếu", document.title),
        ("Thực hiện", ", ".join(document.implements) or None),
        ("Nguồn", f"{document.source_path} ({document.source_format}, {document.encoding or '-'})"),
    ):
        facts.add_row(f"[bold]{name}[/]", value or "-")
    stdout.print(facts)
    table = Table(show_lines=False, expand=True)
    table.add_column("path", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("text", ratio=1)
    table.add_column("facts", ratio=1)
    for segment in document.segments:
        text = segment.text.replace("\n", " / ")
        table.add_row(
            segment.path, segment.kind, text if len(text) <= 160 else text[:157] + "...", _facts_line(segment)
        )
    stdout.print(table)
    if document.citations:
        stdout.print(
            "[bold]Văn bản được trích dẫn[/]: "
            + "; ".join(f"{c.number} ({c.relation})" for c in document.citations)
        )
    counts: dict[str, int] = {}
    for segment in document.segments:
        counts[segment.kind] = counts.get(segment.kind, 0) + 1
    stdout.print(", ".join(f"{n} {kind}" for kind, n in counts.items()))


def _facts_line(segment: Segment) -> str:
    facts = [f"{a.role}: {a.mention}" for a in segment.assignments[:6]]
    if len(segment.assignments) > 6:
        facts.append(f"... {len(segment.assignments) - 6} more")
    facts += [f"cites {c.number}" for c in segment.citations if not c.named][:3]
    facts += [f"{t.comparator or ''} {t.value:g} {t.unit}".strip() for t in segment.targets][:3]
    return "; ".join(facts)


# -- ingest -----------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    max_bytes = config.max_file_bytes()
    files, report_missing = collect_files(args.paths)
    report = IngestReport(outcomes=list(report_missing))
    if not files and not report_missing:
        _error("no readable files (.txt, .md, .pdf, .docx) in " + ", ".join(args.paths))
        return 1
    with Record(config.home()) as record:
        with Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=stderr,
            transient=True,
            disable=len(files) < 2 or args.quiet,
        ) as progress:
            task = progress.add_task("ingesting", total=len(files))
            analyze_document = analyze_for_record(record)
            for path in files:
                progress.update(task, description=f"ingesting {path.name[:40]}")
                report.outcomes.append(ingest_file(record, path, max_bytes, analyze_document))
                progress.advance(task)
        counts = record.counts()
    if args.json:
        sys.stdout.write(
            json.dumps([o.__dict__ for o in report.outcomes], ensure_ascii=False, indent=2) + "\n"
        )
    else:
        _print_ingest_summary(report.outcomes, counts)
    for failure in report.failed:
        _error(f"{failure.path}: {failure.message}")
    return 1 if report.failed else 0


def _print_ingest_summary(outcomes: list[FileOutcome], counts: dict[str, int]) -> None:
    table = Table(title="vanban ingest")
    table.add_column("file")
    table.add_column("status")
    table.add_column("document")
    table.add_column("segments", justify="right")
    colours = {"added": "green", "replaced": "yellow", "unchanged": "dim", "failed": "red"}
    for outcome in outcomes:
        table.add_row(
            outcome.path,
            f"[{colours[outcome.status]}]{outcome.status}[/]",
            outcome.document_id or "-",
            str(outcome.segments) if outcome.segments else "-",
        )
    stdout.print(table)
    summary = {status: sum(1 for o in outcomes if o.status == status) for status in colours}
    stdout.print(
        f"{summary['added']} added, {summary['replaced']} replaced, {summary['unchanged']} unchanged, "
        f"{summary['failed']} failed; the store holds {counts['documents']} documents, "
        f"{counts['segments']} segments ({config.home()})"
    )


# -- eval -------------------------------------------------------------------------------------


def cmd_eval_extraction(args: argparse.Namespace) -> int:
    from nlp.evaluation import Score, evaluate_extraction

    scores, missing = evaluate_extraction()
    totals = []
    for facet in sorted({s.facet for s in scores}):
        rows = [s for s in scores if s.facet == facet]
        totals.append(
            Score(
                facet,
                "all (micro)",
                sum(r.gold for r in rows),
                sum(r.found for r in rows),
                sum(r.correct for r in rows),
            )
        )
    if args.json:
        payload = {
            "documents": [s.to_dict() for s in scores],
            "totals": [t.to_dict() for t in totals],
            "missing": missing,
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    table = Table(title="vanban eval extraction")
    for column in ("facet", "document", "gold", "found", "correct", "P", "R", "F1"):
        table.add_column(column, justify="left" if column in ("facet", "document") else "right")
    for score in [*scores, *totals]:
        table.add_row(
            score.facet,
            score.document,
            str(score.gold),
            str(score.found),
            str(score.correct),
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
            f"{score.f1:.3f}",
        )
    stdout.print(table)
    for source in missing:
        stdout.print(f"not scored (source not here): {source}")
    return 0


# -- entry point ------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vanban",
        description="Document intelligence and search for Vietnamese party and state directives.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser("parse", help="parse one file and print its metadata and segments")
    parse.add_argument("file", help="a .txt, .md, .pdf or .docx file")
    parse.add_argument("--json", action="store_true", help="print {document, segments, citations} as JSON")
    parse.set_defaults(handler=cmd_parse)

    ingest = commands.add_parser(
        "ingest", help="parse files and folders into the store under $VANBAN_HOME (default ./data)"
    )
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (searched recursively)")
    ingest.add_argument("--json", action="store_true", help="print one JSON outcome per file")
    ingest.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(handler=cmd_ingest)

    evaluate = commands.add_parser("eval", help="measure quality on the hand-checked sets in evaluation/")
    targets = evaluate.add_subparsers(dest="target", required=True, metavar="WHAT")
    extraction = targets.add_parser(
        "extraction", help="precision, recall and F1 of citations, assignments and targets per document"
    )
    extraction.add_argument("--json", action="store_true")
    extraction.set_defaults(handler=cmd_eval_extraction)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except VanbanError as exc:
        _error(str(exc))
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
