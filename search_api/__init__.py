"""System of record, search and the user-facing surfaces: the `vanban` CLI and HTTP service."""
