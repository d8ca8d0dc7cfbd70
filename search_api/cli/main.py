"""The `vanban` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.progress import Progress, TaskID
from rich.table import Table

from ingest.model import Document, Segment, VanbanError
from ingest.ocr.progress import ocr_progress
from ingest.ocr.settings import ocr_settings
from ingest.readers import SUPPORTED_EXTENSIONS
from nlp.embeddings import Embedder
from search_api import config
from search_api.access import LEVELS
from search_api.cli.chat import add_commands as add_chat_commands
from search_api.cli.console import error, literal, progress_bar, stderr, stdout
from search_api.cli.evaluation import add_commands as add_eval_commands
from search_api.cli.graph import add_commands as add_graph_commands
from search_api.cli.search import add_commands as add_search_commands
from search_api.index.indexer import finish_indexing, index_state, rebuild_index
from search_api.index.vector_store import VectorStore
from search_api.intake import FileOutcome, IngestReport, collect_files, ingest_file, read_document
from search_api.services import open_services
from search_api.store import Record
from search_api.store.visibility import levels_up_to
from search_api.tools.bench import add_command as add_bench_command

_error = error


# -- parse ------------------------------------------------------------------------------------


def cmd_parse(args: argparse.Namespace) -> int:
    try:
        home = config.home()
        with _ocr_pages_shown(None, Path(args.file).name):
            document = read_document(
                args.file, config.max_file_bytes(), lambda level: Record.symbols_in(home, levels_up_to(level))
            )
    except VanbanError as exc:
        _error(f"{args.file}: {exc}")
        return 1
    if args.json:
        sys.stdout.write(json.dumps(document.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return 0
    _print_outline(document)
    return 0


@contextmanager
def _ocr_pages_shown(outer: Progress | None, name: str, quiet: bool = False) -> Iterator[None]:
    """A scan's pages, as OCR reads them, as a task of the `outer` bar when it is shown, else in a bar
    of their own (a single 100-page scan takes minutes)."""
    if quiet:
        yield
        return
    own = outer is None or outer.disable
    bar = progress_bar() if own or outer is None else outer
    task: TaskID | None = None

    def page_done(done: int, total: int) -> None:
        nonlocal task
        if task is None:
            if own:
                bar.start()
            task = bar.add_task(f"OCR {literal(name, 40)}", total=total)
        bar.update(task, completed=done)

    with ocr_progress(page_done):
        try:
            yield
        finally:
            if task is not None:
                bar.remove_task(task)
                if own:
                    bar.stop()


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
        facts.add_row(f"[bold]{name}[/]", literal(value or "-"))
    stdout.print(facts)
    table = Table(show_lines=False, expand=True)
    table.add_column("path", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("text", ratio=1)
    table.add_column("facts", ratio=1)
    for segment in document.segments:
        text = segment.text.replace("\n", " / ")
        table.add_row(literal(segment.path), segment.kind, literal(text, 160), literal(_facts_line(segment)))
    stdout.print(table)
    if document.citations:
        stdout.print(
            "[bold]Văn bản được trích dẫn[/]: "
            + literal("; ".join(f"{c.number} ({c.relation})" for c in document.citations))
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
    config.limits()  # a bad VANBAN_MAX_… value is one error before any file is read
    ocr_settings()  # and a bad VANBAN_OCR_… value
    files, report_missing = collect_files(args.paths)
    report = IngestReport(outcomes=list(report_missing))
    if not files and not report_missing:
        _error(f"no readable files ({', '.join(SUPPORTED_EXTENSIONS)}) in " + ", ".join(args.paths))
        return 1
    with open_services() as services:
        with progress_bar(disable=len(files) < 2 or args.quiet) as progress:
            task = progress.add_task("ingesting", total=len(files))
            for path in files:
                progress.update(task, description=f"ingesting {literal(path.name, 40)}")
                with _ocr_pages_shown(progress, path.name, quiet=args.quiet):
                    report.outcomes.append(
                        ingest_file(
                            services, path, max_bytes, args.access, allow_lower=args.allow_lower_access
                        )
                    )
                progress.advance(task)
            services.store.optimize()
        counts = services.record.counts()
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
            literal(outcome.path),
            f"[{colours[outcome.status]}]{outcome.status}[/]",
            literal(outcome.document_id or "-"),
            str(outcome.segments) if outcome.segments else "-",
        )
    stdout.print(table)
    summary = {status: sum(1 for o in outcomes if o.status == status) for status in colours}
    stdout.print(
        f"{summary['added']} added, {summary['replaced']} replaced, {summary['unchanged']} unchanged, "
        f"{summary['failed']} failed; the store holds {counts['documents']} documents, "
        f"{counts['segments']} segments ({literal(config.home())})"
    )


# -- search ---------------------------------------------------------------------------------


def cmd_reindex(args: argparse.Namespace) -> int:
    from nlp.embedding_cache import CachedEmbedder, default_cache_path
    from nlp.embeddings import get_embedder
    from search_api.index import open_store

    home = config.home()
    # Not open_services: that refuses an index built with another embedder, which is what reindex repairs.
    with Record(home) as record:
        embedder = CachedEmbedder(get_embedder(args.embedder), default_cache_path(home))
        store = open_store(home)
        try:
            return _reindex(record, store, embedder, args)
        finally:
            store.close()
            embedder.close()


def _reindex(record: Record, store: VectorStore, embedder: Embedder, args: argparse.Namespace) -> int:
    state = index_state(record, store, embedder) if args.if_outdated else "outdated"
    if state == "current":
        stdout.print("the search index is up to date")
        return 0
    if state == "unfinished":  # documents stored by an ingest that was stopped before indexing them
        unindexed = len(record.unindexed())
        with progress_bar(disable=args.quiet) as progress:
            task = progress.add_task("finishing the index", total=unindexed)
            finished = finish_indexing(record, store, embedder, lambda _: progress.advance(task))
        store.optimize()
        if index_state(record, store, embedder) == "current":
            stdout.print(f"indexed {finished} documents that were stored but not indexed")
            return 0
    total = len(record.document_ids())
    with progress_bar(disable=args.quiet) as progress:
        task = progress.add_task("reindexing", total=total)
        report = rebuild_index(record, store, embedder, lambda _: progress.advance(task))
    stdout.print(f"indexed {report.points} segments of {report.documents} documents with {embedder.name}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search_api.http.app import create_app

    try:
        app = create_app(config.home(), args.embedder)
        # The store and the index open in the app's start-up, where a failure is uvicorn's traceback:
        # open them once here, so a held index or a damaged store is one line too.
        open_services(config.home(), args.embedder).close()
    except VanbanError as exc:  # a bad setting (VANBAN_API_KEYS, ...), an index in use: one line
        _error(f"cannot serve: {exc}")
        return 2
    stderr.print(
        f"vanban: serving {literal(config.home())} on http://{args.host}:{args.port}/ (Ctrl+C to stop)"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


# -- eval -------------------------------------------------------------------------------------


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
    ingest.add_argument(
        "--access",
        choices=LEVELS,
        default=None,
        help="access level of these documents (default: public for new ones, a stored one keeps its level;"
        ' a "MẬT" mark in a header makes one confidential)',
    )
    ingest.add_argument(
        "--allow-lower-access",
        action="store_true",
        help="let --access lower the level of a stored document (never below its own MẬT mark)",
    )
    ingest.set_defaults(handler=cmd_ingest)

    reindex = commands.add_parser("reindex", help="rebuild the search index from the stored documents")
    reindex.add_argument("--embedder", metavar="SPEC", help="as VANBAN_EMBEDDER")
    reindex.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    reindex.add_argument(
        "--if-outdated",
        action="store_true",
        help="only what is needed: index documents stored but not indexed (a stopped ingest); rebuild when"
        " the index was built with another embedder or schema, or its points do not match the record",
    )
    reindex.set_defaults(handler=cmd_reindex)

    serve = commands.add_parser("serve", help="run the HTTP service and the web page")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--embedder", metavar="SPEC", help="as VANBAN_EMBEDDER (must match the index)")
    serve.set_defaults(handler=cmd_serve)

    add_search_commands(commands)
    add_graph_commands(commands)
    add_eval_commands(commands)
    add_chat_commands(commands)
    add_bench_command(commands)
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
