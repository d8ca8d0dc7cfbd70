"""The graph commands of `vanban`: trace, obligations, export matrix, graph.

The command line has no access key and sees every level; access control matters for the HTTP service.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rich.table import Table

from ingest.model import VanbanError
from ingest.vocabulary import ROLE_BY_ID
from search_api import config
from search_api.access import LEVELS
from search_api.cli.console import error, literal, print_json, stdout
from search_api.store import Record

ALL_LEVELS = LEVELS
_error = error
_json = print_json


def _run(handler: Any, args: argparse.Namespace) -> int:
    try:
        with Record(config.home()) as record:
            return int(handler(record, args))
    except VanbanError as exc:
        _error(str(exc))
        return 1


# -- trace ---------------------------------------------------------------------------------------


def cmd_trace(args: argparse.Namespace) -> int:
    return _run(_trace, args)


def _trace(record: Record, args: argparse.Namespace) -> int:
    from search_api.queries.trace import trace, trace_segment

    if args.segment:
        result = trace_segment(record, args.segment, ALL_LEVELS)
        if args.json:
            _json(result)
            return 0
        segment = result["segment"]
        stdout.print(
            f"[bold]{literal(segment['id'])}[/] ({segment['kind']}): {literal(segment['text'], 200)}"
        )
        _print_items("Chuỗi văn bản chỉ đạo", result["chain"], extra=("via", "depth"))
        for branch in result["paths"]:
            stdout.print("  " + literal(" → ".join(branch)))
        return 0
    if not args.reference:
        _error("give a SYMBOL (or a reference such as 'KL 72'), or --segment ID")
        return 2
    result = trace(record, " ".join(args.reference), ALL_LEVELS)
    if args.json:
        _json(result)
        return 0
    if result.get("ambiguous"):
        stdout.print("Tham chiếu chưa rõ, có thể là: " + literal(", ".join(result["candidates"])))
        return 0
    node = result["node"]
    stdout.print(
        f"[bold]{literal(node['number'])}[/] {literal(node['type'] or '')} {literal(node['date'] or '')}"
        f" — {literal(node['issuer'] or '-')} ({literal(node['level'] or '?')})"
    )
    if node["title"]:
        stdout.print(literal(node["title"]))
    stdout.print(f"Văn bản đã nạp: {literal(node['document_id'] or 'chưa (chỉ được trích dẫn)')}")
    for name, title in (
        ("implements", "Thực hiện"),
        ("implemented_by", "Được thực hiện bởi"),
        ("cites", "Trích dẫn"),
        ("cited_by", "Được trích dẫn bởi"),
        ("chain_up", "Chuỗi lên (từ trên xuống)"),
    ):
        _print_items(title, result[name])
    return 0


def _print_items(title: str, items: list[dict[str, Any]], extra: tuple[str, ...] = ()) -> None:
    if not items:
        stdout.print(f"[bold]{title}[/]: -")
        return
    table = Table(title=title, title_justify="left", expand=True)
    for column in ("số hiệu", "quan hệ", "cấp", "ngày", "trích yếu", "nguồn", *extra):
        table.add_column(column, ratio=2 if column == "trích yếu" else None)
    for item in items:
        source = f"{item['document_id']} {item['path'] or ''}" if item.get("document_id") else ""
        table.add_row(
            literal(item["number"]),
            literal(item.get("relation") or ""),
            literal(item.get("level") or ""),
            literal(item.get("date") or ""),
            literal(item.get("title") or "", 120),
            literal(source),
            *(literal(item.get(name, "")) for name in extra),
        )
    stdout.print(table)


# -- obligations -----------------------------------------------------------------------------------


def cmd_obligations(args: argparse.Namespace) -> int:

    if args.list:
        return _run(_list_agencies, args)
    if not args.agency:
        _error("give an AGENCY (name, alias or abbreviation), or --list")
        return 2
    return _run(_obligations, args)


def _list_agencies(record: Record, args: argparse.Namespace) -> int:
    """The registry's agencies, then the bodies stored documents assign work to that it does not know."""
    from search_api.queries.obligations import known_agencies, stored_unknown_agencies

    agencies = known_agencies()
    unknown = stored_unknown_agencies(record, ALL_LEVELS)
    if args.json:
        _json(
            [
                {"id": a.id, "name": a.name, "level": a.level, "kind": a.kind, "replaces": list(a.replaces)}
                for a in agencies
            ]
            + [
                {"id": key, "name": name, "known": False, "assignments": count}
                for key, name, count in unknown
            ]
        )
        return 0
    table = Table(title="Cơ quan đã biết")
    for column in ("id", "tên", "cấp", "loại", "tên khác", "thay cho"):
        table.add_column(column)
    for agency in agencies:
        table.add_row(
            agency.id,
            literal(agency.name),
            agency.level or "",
            agency.kind,
            literal(", ".join(agency.aliases)),
            ", ".join(agency.replaces),
        )
    stdout.print(table)
    if unknown:
        others = Table(title="Cơ quan chưa có trong danh mục (được giao việc trong các văn bản đã lưu)")
        for column in ("tên", "số nhiệm vụ"):
            others.add_column(column)
        for _, name, count in unknown:
            others.add_row(literal(name), str(count))
        stdout.print(others)
    return 0


def _role_title(role: str) -> str:
    known = ROLE_BY_ID.get(role)
    return known.label[:1].upper() + known.label[1:] if known else role


def _obligations(record: Record, args: argparse.Namespace) -> int:
    from search_api.queries.obligations import obligations

    result = obligations(record, " ".join(args.agency), ALL_LEVELS)
    if args.json:
        _json(result)
        return 0
    agency = result["agency"]
    stdout.print(
        f"[bold]{literal(agency['name'])}[/] ({agency['level'] or '?'}): {result['count']} nhiệm vụ được giao"
    )
    for role, items in result["roles"].items():
        table = Table(title=_role_title(role), title_justify="left", expand=True, show_lines=True)
        table.add_column("nguồn", no_wrap=True)
        table.add_column("nội dung", ratio=3)
        table.add_column("nhiệm vụ", ratio=3)
        table.add_column("thời hạn")
        table.add_column("chuỗi chỉ đạo", ratio=1)
        for item in items:
            tasks = "\n".join(f"{t['path']}: {t['text'][:100]}" for t in item["tasks"])
            table.add_row(
                literal(f"{item['document_number'] or item['document_id']} {item['path']}"),
                literal(item["text"][:300], keep_newlines=True),
                literal(tasks, keep_newlines=True),
                literal(item["deadline"] or item["frequency"] or ""),
                literal("\n".join(" → ".join(branch) for branch in item["chain_paths"]), keep_newlines=True),
            )
        stdout.print(table)
    return 0


# -- export matrix ---------------------------------------------------------------------------------


def cmd_export(args: argparse.Namespace) -> int:
    return _run(_export, args)


def _export(record: Record, args: argparse.Namespace) -> int:
    from search_api.queries.matrix import matrix_rows, write_matrix_csv, write_matrix_xlsx

    rows = matrix_rows(record, ALL_LEVELS, args.document)
    target = Path(args.output or f"bang-phan-cong-{args.document or 'tat-ca'}.{args.format}")
    if args.format == "xlsx":
        write_matrix_xlsx(rows, target)
    else:
        write_matrix_csv(rows, target)
    stdout.print(f"wrote {len(rows)} tasks to {literal(target)}")
    return 0


# -- graph -----------------------------------------------------------------------------------------


def cmd_graph(args: argparse.Namespace) -> int:
    return _run(_graph, args)


def _graph(record: Record, args: argparse.Namespace) -> int:
    from search_api.queries.graph import graph

    sys.stdout.write(graph(record, ALL_LEVELS, args.document, args.format))
    if args.format == "json":
        sys.stdout.write("\n")
    return 0


# -- registration ----------------------------------------------------------------------------------


def add_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    trace = commands.add_parser(
        "trace", help="what a directive implements, what implements or cites it, and the chain above it"
    )
    trace.add_argument("reference", nargs="*", metavar="SYMBOL", help='a symbol, "KL 72", or a document id')
    trace.add_argument("--segment", metavar="ID", help="the chain of directives above one task segment")
    trace.add_argument("--json", action="store_true")
    trace.set_defaults(handler=cmd_trace)

    duties = commands.add_parser("obligations", help="every assignment of one agency, by role")
    duties.add_argument("agency", nargs="*", metavar="AGENCY", help="name, alias or abbreviation")
    duties.add_argument("--list", action="store_true", help="list the agencies the registry knows")
    duties.add_argument("--json", action="store_true")
    duties.set_defaults(handler=cmd_obligations)

    export = commands.add_parser("export", help="write derived tables")
    what = export.add_subparsers(dest="what", required=True, metavar="WHAT")
    matrix = what.add_parser("matrix", help='the assignment matrix ("Bảng phân công nhiệm vụ")')
    matrix.add_argument("--document", metavar="ID", help="only this document")
    matrix.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    matrix.add_argument("-o", "--output", metavar="FILE", help="default: bang-phan-cong-<ID>.<format> here")
    matrix.set_defaults(handler=cmd_export)

    graph = commands.add_parser("graph", help="the citation graph as JSON, Graphviz DOT or Mermaid")
    graph.add_argument("--document", metavar="ID", help="only this document's neighbourhood")
    graph.add_argument("--format", choices=("json", "dot", "mermaid"), default="json")
    graph.set_defaults(handler=cmd_graph)
