"""What one agency must do under every stored directive: its assignments, grouped by role, with their tasks.

The agency is named as a user types it (canonical name, alias, abbreviation, without diacritics) and
resolved through the agency registry, so "Ban cán sự đảng UBND tỉnh" and "BCS đảng Ủy ban nhân dân tỉnh"
give the same list. Each assignment carries the tasks its line governs and the directive chain above it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Collection
from typing import Any

from ingest.normalize import fold_diacritics, match_key
from ingest.vocabulary import ROLE_IDS
from nlp.agencies import Agency, AgencyRegistry
from search_api.queries.trace import NotFoundError, trace_segment
from search_api.store import Record


def resolve_agency(query: str, registry: AgencyRegistry | None = None) -> Agency:
    """The one agency `query` names; a NotFoundError with close names when none or several."""
    registry = registry or AgencyRegistry.default()
    agency = registry.resolve(query)
    if agency is not None:
        return agency
    found = registry.search(query)
    if len(found) == 1:
        return found[0]
    if found:
        names = "; ".join(a.name for a in found[:8])
        raise NotFoundError(f"'{query}' names several agencies: {names}; give one of them")
    raise NotFoundError(f"no agency '{query}' is known" + _suggestions(query, registry))


def _suggestions(query: str, registry: AgencyRegistry) -> str:
    names = {fold_diacritics(match_key(a.name)): a.name for a in registry.agencies}
    close = difflib.get_close_matches(fold_diacritics(match_key(query)), list(names), n=5, cutoff=0.6)
    return f"; did you mean: {'; '.join(names[c] for c in close)}" if close else ""


def obligations(
    record: Record,
    agency_query: str,
    levels: Collection[str],
    registry: AgencyRegistry | None = None,
) -> dict[str, Any]:
    """{"agency": {...}, "count": n, "roles": {role: [assignment, ...]}} over documents `levels` may read."""
    registry = registry or AgencyRegistry.default()
    levels = list(levels)
    try:
        agency = resolve_agency(agency_query, registry)
    except NotFoundError:
        # A body the registry does not know is still an agency: stored under its normalised name.
        unknown = registry.unknown(agency_query)
        if not any(unknown.id == name for name, _, _ in stored_unknown_agencies(record, levels)):
            raise
        agency = unknown
    roles: dict[str, list[dict[str, Any]]] = {}
    chains: dict[str, dict[str, Any]] = {}
    # The JSON of a segment names the agency id verbatim: a cheap prefilter before parsing.
    for segment, document_id, number in record.segments_containing(
        json.dumps(agency.id, ensure_ascii=False), levels
    ):
        for assignment in segment.assignments:
            if assignment.agency != agency.id:
                continue
            tasks = _governed_tasks(record, segment.governs, levels)
            if segment.id not in chains:
                chains[segment.id] = trace_segment(record, segment.id, levels)
            roles.setdefault(assignment.role, []).append(
                {
                    "document_id": document_id,
                    "document_number": number,
                    "segment_id": segment.id,
                    "path": segment.path,
                    "kind": segment.kind,
                    "text": segment.text,
                    "mention": assignment.mention,
                    "actions": assignment.actions,
                    "frequency": assignment.frequency,
                    "deadline": assignment.deadline,
                    # the deadline as data: ISO dates of the period and how often the work recurs
                    "deadline_start": assignment.deadline_start,
                    "deadline_end": assignment.deadline_end,
                    "recurrence": assignment.recurrence,
                    "tasks": tasks,
                    "chain": chains[segment.id]["top_down"],
                    "chain_paths": chains[segment.id]["paths"],
                }
            )
    ordered = {role: roles[role] for role in sorted(roles, key=_role_rank)}
    return {
        "agency": {"id": agency.id, "name": agency.name, "level": agency.level, "kind": agency.kind},
        "count": sum(len(items) for items in ordered.values()),
        "roles": ordered,
    }


def _role_rank(role: str) -> tuple[int, str]:
    return (ROLE_IDS.index(role) if role in ROLE_IDS else len(ROLE_IDS), role)


def _governed_tasks(record: Record, ids: list[str], levels: Collection[str]) -> list[dict[str, str]]:
    found = record.segment_summaries(ids, levels)
    return [{"segment_id": i, "path": found[i][0], "text": found[i][1]} for i in ids if i in found]


def known_agencies(registry: AgencyRegistry | None = None) -> list[Agency]:
    registry = registry or AgencyRegistry.default()
    return sorted(registry.agencies, key=lambda a: (a.level or "~", a.name))


def stored_unknown_agencies(record: Record, levels: Collection[str]) -> list[tuple[str, str, int]]:
    """Bodies assigned work in the stored documents `levels` may read that the registry does not know:
    (id, name as first written, number of assignments), most assigned first."""
    found: dict[str, list[Any]] = {}
    for segment, _, _ in record.segments_containing('"known": false', levels):
        for assignment in segment.assignments:
            if not assignment.known:
                entry = found.setdefault(assignment.agency, [assignment.mention, 0])
                entry[1] += 1
    return sorted(((key, name, count) for key, (name, count) in found.items()), key=lambda t: (-t[2], t[0]))
