"""`vanban ask`: the chat from the command line, one question or a JSON Lines batch."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ingest.model import VanbanError
from search_api.chat.answerer import ALL_LEVELS, Answerer, generator_from_env
from search_api.cli.console import error as _error
from search_api.queries.search import QueryError
from search_api.services import open_services
from search_api.untrusted import printable


def add_commands(commands: Any) -> None:
    """Register `ask` on the `vanban` subcommands (an argparse subparsers object)."""
    ask = commands.add_parser("ask", help="ask a question in Vietnamese; the answer cites its sources")
    ask.add_argument(
        "question", nargs="*", metavar="QUESTION", help='e.g. "Ai chủ trì tuyên truyền Kết luận 72?"'
    )
    ask.add_argument("--json", action="store_true", help="print {answer, citations, found, conversation_id}")
    ask.add_argument(
        "--batch",
        metavar="FILE.jsonl",
        help='one JSON object a line, {"id", "q"} or {"id", "message", "conversation_id"}; "-" for stdin',
    )
    ask.add_argument(
        "--level",
        choices=ALL_LEVELS,
        default="confidential",
        help="highest access level the answer may use (default: all)",
    )
    ask.add_argument(
        "--embedder", default=None, help="embedder spec (default: the one the index was built with)"
    )
    ask.set_defaults(handler=cmd_ask)


def levels_up_to(level: str) -> tuple[str, ...]:
    return ALL_LEVELS[: ALL_LEVELS.index(level) + 1]


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch is None and not args.question:
        _error("give a QUESTION, or --batch FILE.jsonl")
        return 2
    with open_services(embedder_spec=args.embedder) as services:
        answerer = Answerer(services, levels_up_to(args.level), generator_from_env())
        if args.batch is not None:
            return _ask_batch(answerer, args.batch)
        try:
            reply = answerer.answer(" ".join(args.question))
        except QueryError as exc:
            _error(str(exc))
            return 2
    if args.json:
        payload = reply.to_dict()
        payload.pop("intent")
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return 0
    sys.stdout.write(printable(reply.answer, keep_newlines=True) + "\n")
    for number, citation in enumerate(reply.citations, 1):
        where = f"{citation['document_symbol']}, {citation['path']}: {citation['text']}"
        sys.stdout.write(f"  [{number}] {printable(' '.join(where.split()))}\n")
    return 0


def _ask_batch(answerer: Answerer, batch: str) -> int:
    """One JSON line per input line. A batch's own conversation labels map to real conversations,
    so that lines sharing a "conversation_id" continue one conversation."""
    try:
        lines = (
            Path(batch).read_text(encoding="utf-8").splitlines()
            if batch != "-"
            else sys.stdin.read().splitlines()
        )
    except OSError as exc:
        _error(f"{batch}: {exc.strerror}")
        return 1
    conversations: dict[str, str] = {}
    failures = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        request: Any = None
        try:
            request = json.loads(line)
            if not isinstance(request, dict) or "id" not in request:
                raise ValueError
            message = request.get("message", request.get("q"))
            if not isinstance(message, str):
                raise ValueError
            label = request.get("conversation_id")
            reply = answerer.answer(message, conversations.get(str(label)) if label is not None else None)
            if label is not None:
                conversations[str(label)] = reply.conversation_id
            result: dict[str, Any] = {
                "id": request["id"],
                "answer": reply.answer,
                "citations": reply.citations,
                "found": reply.found,
                "conversation_id": reply.conversation_id,
            }
        except ValueError:
            failures += 1
            result = {
                "id": request.get("id") if isinstance(request, dict) else None,
                "line": number,
                "error": 'not a JSON object with "id" and "q" (or "message")',
            }
        except VanbanError as exc:
            failures += 1
            result = {"id": request.get("id"), "line": number, "error": str(exc)}
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    return 1 if failures else 0
