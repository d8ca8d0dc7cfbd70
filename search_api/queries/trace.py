"""Trace a directive through the catalog: what it implements, what implements or cites it, the chain above it.

`trace` answers for one directive (by symbol, informal reference or document id); `trace_segment` for
one task: the directives its own text cites, what they implement, then what its document implements,
up to the root resolution. Every walk keeps a visited set, so cycles and self-citations end.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from ingest.model import VanbanError
from ingest.symbols import find_symbols
from nlp.citations import resolve_reference
from search_api.store import Record, catalog

MAX_DEPTH = 50  # far beyond any real chain (a district plan is four steps below a Politburo resolution)


class NotFoundError(VanbanError):
    """A reference, segment or agency the store does not know (at the caller's level)."""


def find_node(store: Record, reference: str, levels: Collection[str]) -> str | list[str]:
    """The catalog key `reference` names, or the candidate symbols when it could mean several."""
    reference = " ".join(reference.split())
    if not reference:
        raise NotFoundError("give a symbol, a reference such as 'KL 72', or a document id")
    by_id = catalog.key_of_document_id(store, reference, levels)
    if by_id is not None:
        return by_id
    exact = find_symbols(reference)
    if exact and catalog.node(store, catalog.symbol_key(exact[0][0]), levels) is not None:
        return catalog.symbol_key(exact[0][0])
    if not exact:
        candidates = resolve_reference(reference, catalog.visible_symbols(store, levels))
        if len(candidates) == 1:
            return catalog.symbol_key(candidates[0])
        if candidates:
            return candidates
        named = catalog.name_key(reference)
        if catalog.node(store, named, levels) is not None:
            return named
    raise NotFoundError(f"no directive '{reference}' is known: ingest it or a document that cites it")


def _item(
    store: Record, key: str, levels: Collection[str], cache: dict[str, dict[str, Any] | None]
) -> dict[str, Any] | None:
    if key not in cache:
        cache[key] = catalog.node(store, key, levels)
    found = cache[key]
    if found is None:
        return None
    return {
        "number": found["number"],
        "key": key,
        "title": found["title"],
        "type": found["type"],
        "date": found["date"],
        "level": found["level"],
        "document": found["document_id"],
    }


def _neighbours(
    store: Record,
    key: str,
    levels: Collection[str],
    direction: str,
    relation: str | None,
    cache: dict[str, dict[str, Any] | None],
    scope: str | None = None,
) -> list[dict[str, Any]]:
    """One item per (neighbour, relation), with the first citing segment and every source."""
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for edge in catalog.edges(store, key, levels, direction, relation, scope):
        source = {"document_id": edge["document_id"], "segment_id": edge["segment_id"], "path": edge["path"]}
        entry = grouped.get((edge["other"], edge["relation"]))
        if entry is None:
            item = _item(store, edge["other"], levels, cache)
            if item is None:
                continue
            entry = grouped[(edge["other"], edge["relation"])] = {
                **item,
                "relation": edge["relation"],
                **source,
                "sources": [],
            }
        entry["sources"].append(source)
    return list(grouped.values())


def chain_up(
    store: Record,
    start: list[str],
    levels: Collection[str],
    cache: dict[str, dict[str, Any] | None] | None = None,
    seen: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Everything `start` implements, transitively, breadth-first, each with its depth and implementer."""
    cache = {} if cache is None else cache
    seen = set() if seen is None else seen
    found: list[dict[str, Any]] = []
    frontier = [(key, 0) for key in start]
    while frontier:
        key, depth = frontier.pop(0)
        if depth >= MAX_DEPTH:
            continue
        below = _item(store, key, levels, cache)
        for edge in catalog.edges(store, key, levels, "out", "implements", "document"):
            target = edge["other"]
            if target in seen:
                continue
            item = _item(store, target, levels, cache)
            if item is None:
                continue
            seen.add(target)
            found.append(
                {
                    **item,
                    "relation": "implements",
                    "depth": depth + 1,
                    "implemented_by": below and below["number"],
                }
            )
            frontier.append((target, depth + 1))
    return found


def top_down(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Trung ương first, then province, district, commune; farther up the chain first within a level."""
    return sorted(items, key=lambda item: (catalog.level_rank(item.get("level")), -item.get("depth", 0)))


def trace(store: Record, reference: str, levels: Collection[str]) -> dict[str, Any]:
    key = find_node(store, reference, levels)
    if isinstance(key, list):
        return {"ambiguous": True, "reference": reference, "candidates": key}
    node = catalog.node(store, key, levels)
    if node is None:  # find_node only returns visible keys; kept for safety against races
        raise NotFoundError(f"no directive '{reference}' is known")
    cache: dict[str, dict[str, Any] | None] = {key: node}
    return {
        "symbol": node["number"] if node["kind"] == "symbol" else None,
        "document": node["document_id"],
        "node": {k: v for k, v in node.items() if k != "facts"},
        "implements": _neighbours(store, key, levels, "out", "implements", cache, "document"),
        "implemented_by": _neighbours(store, key, levels, "in", "implements", cache, "document"),
        # Citing in the broad sense: every reference, whatever its relation (each item says which).
        "cites": _neighbours(store, key, levels, "out", None, cache),
        "cited_by": _neighbours(store, key, levels, "in", None, cache),
        "chain_up": top_down(chain_up(store, [key], levels, cache, {key})),
    }


def trace_segment(store: Record, segment_id: str, levels: Collection[str]) -> dict[str, Any]:
    """The directives above one segment: its own citations and what they implement, then its document's."""
    document_id = store.visible_segment_document(segment_id, levels)
    segment = store.segment(segment_id) if document_id is not None else None
    if document_id is None or segment is None:
        raise NotFoundError(f"no segment '{segment_id}' is known")
    document_key = catalog.key_of_document_id(store, document_id, levels) or ""
    cache: dict[str, dict[str, Any] | None] = {}
    seen: set[str] = {document_key}
    chain: list[dict[str, Any]] = []

    def climb(key: str, item: dict[str, Any], via: str) -> None:
        # Depth-first: a citation, then what it implements, so each branch reads bottom-up in order.
        seen.add(key)
        chain.append({**item, "via": via})
        for above in chain_up(store, [key], levels, cache, seen):
            chain.append({**above, "depth": above["depth"] + item["depth"], "via": via})

    for citation in segment.citations:
        key = catalog.key_of_citation(citation)
        item = _item(store, key, levels, cache)
        if item is not None and key not in seen:
            climb(key, {**item, "relation": citation.relation, "depth": 1, "implemented_by": None}, "segment")
    for edge in catalog.edges(store, document_key, levels, "out", "implements", "document"):
        item = _item(store, edge["other"], levels, cache)
        if item is not None and edge["other"] not in seen:
            document_item = _item(store, document_key, levels, cache)
            implementer = document_item["number"] if document_item else None
            climb(
                edge["other"],
                {**item, "relation": "implements", "depth": 1, "implemented_by": implementer},
                "document",
            )
    return {
        "segment": {
            "id": segment.id,
            "document_id": segment.document_id,
            "path": segment.path,
            "kind": segment.kind,
            "text": segment.text,
        },
        "document": document_id,
        "chain": chain,
        "top_down": [item["number"] for item in top_down(chain)],
        "paths": chain_paths(chain),
    }


def chain_paths(chain: list[dict[str, Any]]) -> list[list[str]]:
    """Each branch of a segment's chain as symbols from the top down: ["13-NQ/TW", "72-KL/TW"]."""
    paths: list[list[str]] = []
    for item in chain:
        if item["depth"] != 1:
            continue
        path = [item["number"]]
        # Walk up through items this chain knows implement each other, bounded against cycles.
        for candidate in chain:
            if len(path) > MAX_DEPTH:
                break
            if candidate.get("implemented_by") == path[-1] and candidate["number"] not in path:
                path.append(candidate["number"])
        paths.append(list(reversed(path)))
    return paths
