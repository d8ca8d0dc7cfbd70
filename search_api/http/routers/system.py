"""The service's state and the vocabulary its other answers use."""

from __future__ import annotations

from fastapi import APIRouter

from ingest.vocabulary import (
    ADMINISTRATIVE_LEVELS,
    RELATION_LABELS,
    ROLES,
    SEGMENT_KIND_LABELS,
    SOURCE_FORMAT_LABELS,
)
from search_api.access import EVERYTHING, LEVEL_LABELS
from search_api.http.dependencies import CallerDep, StateDep
from search_api.http.models import Health, Named, Vocabulary

router = APIRouter()


@router.get("/health", tags=["hệ thống"], summary="Tình trạng dịch vụ")
def health(state: StateDep, who: CallerDep) -> Health:
    """Counts of what the caller may see: a hidden document is not counted, as it is not listed. The
    index holds every level's points, so its size is told only to a caller who sees every level."""
    services = state.services
    counts = services.record.counts(who.levels)
    indexed = services.store.count() if set(who.levels) >= set(EVERYTHING) else None
    not_indexed = len(services.record.unindexed(who.levels))
    return Health(
        status="ok", **counts, indexed=indexed, not_indexed=not_indexed, embedder=services.embedder.name
    )


def _named(labels: dict[str, str]) -> list[Named]:
    return [Named(id=key, label=label) for key, label in labels.items()]


@router.get(
    "/vocabulary", tags=["văn bản"], summary="Vai trò, loại đoạn, quan hệ, mức truy cập và cấp hành chính"
)
def vocabulary() -> Vocabulary:
    """The ids the other endpoints use and how to name them, in display order: one source for the page."""
    return Vocabulary(
        roles=_named({role.id: role.label for role in ROLES}),
        segment_kinds=_named(SEGMENT_KIND_LABELS),
        relations=_named(RELATION_LABELS),
        access_levels=_named(LEVEL_LABELS),
        administrative_levels=_named({level: level for level in ADMINISTRATIVE_LEVELS}),
        source_formats=_named(SOURCE_FORMAT_LABELS),
    )
