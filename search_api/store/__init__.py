"""The store: the system of record (documents, segments), the directive catalog derived from it, their
schema and the one visibility rule. The only code that speaks SQL."""

from search_api.store.record import Record, StoreError, segment_from_dict

__all__ = ["Record", "StoreError", "segment_from_dict"]
