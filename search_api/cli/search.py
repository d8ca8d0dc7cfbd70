"""`vanban search`: hybrid search from the command line, one query or a JSON Lines batch."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ingest.vocabulary import ROLE_IDS
from search_api.cli.console import error as _error
from search_api.cli.console import literal, stdout
from search_api.queries.search import Filters, Hit, QueryError
from search_api.services import Services, open_services


def add_commands(commands: Any) -> None:
    """Register `search` on the `vanban` subcommands (an argparse subparsers object)."""
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
        where = literal(" › ".join(hit.breadcrumb[-2:]))
        source = literal(f"{hit.document_symbol or hit.document_id} {hit.path}")
        stdout.print(f"[bold]{rank}. {source}[/] [dim]({hit.kind}, {hit.score:.3f})[/]  {where}")
        stdout.print("   " + _highlighted(hit))
    return 0


def _highlighted(hit: Hit, width: int = 300) -> str:
    text, spans = hit.text.replace("\n", " "), hit.highlights
    start = max(0, spans[0][0] - 80) if spans else 0
    end = min(len(text), start + width)
    out, cursor = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(literal(text[cursor:a]) + f"[bold yellow]{literal(text[a:b])}[/]")
        cursor = b
    out.append(literal(text[cursor:end]))
    return ("..." if start else "") + "".join(out) + ("..." if end < len(text) else "")


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
