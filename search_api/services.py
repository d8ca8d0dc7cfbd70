"""Wiring: the system of record, the index, the embedder and the searcher, opened together."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nlp.agencies import AgencyRegistry
from nlp.embedding_cache import CachedEmbedder, default_cache_path
from nlp.embeddings import Embedder, get_embedder
from search_api import config
from search_api.index import VectorStore, open_store
from search_api.queries.search import Searcher
from search_api.store import Record


@dataclass
class Services:
    record: Record
    store: VectorStore
    embedder: Embedder
    registry: AgencyRegistry
    searcher: Searcher = field(init=False)

    def __post_init__(self) -> None:
        self.searcher = Searcher(self.record, self.store, self.embedder, self.registry)

    def close(self) -> None:
        self.store.close()
        if isinstance(self.embedder, CachedEmbedder):
            self.embedder.close()
        self.record.close()

    def __enter__(self) -> Services:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_services(home: Path | None = None, embedder_spec: str | None = None) -> Services:
    """Open everything under `home` (default `$VANBAN_HOME`); the index must match the embedder."""
    home = home or config.home()
    record = Record(home)
    try:
        embedder = CachedEmbedder(get_embedder(embedder_spec), default_cache_path(home))
        store = open_store(home)
        store.ensure_collection(embedder.dim, embedder.name)
    except BaseException:
        record.close()
        raise
    return Services(record, store, embedder, AgencyRegistry.default())
