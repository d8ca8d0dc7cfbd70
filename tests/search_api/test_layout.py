"""The shape issue 11 gave search_api: short functions, each vocabulary defined once, the page without
copies of it. Checked on the source, so a regression fails here and not in review."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from inputs import ROOT

from ingest.vocabulary import RELATION_LABELS, ROLE_IDS, ROLES, SEGMENT_KIND_LABELS
from search_api.access import LEVEL_LABELS, LEVELS

MAX_FUNCTION_LINES = 80
CODE = [p for folder in ("ingest", "nlp", "search_api") for p in sorted((ROOT / folder).rglob("*.py"))]
PAGE = [ROOT / "search_api" / "web" / name for name in ("app.js", "index.html")]


def test_no_function_in_search_api_is_longer_than_the_limit() -> None:
    functions = []
    for path in sorted((ROOT / "search_api").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.append((node.end_lineno - node.lineno + 1, f"{path.relative_to(ROOT)}:{node.name}"))
    assert len(functions) > 300
    assert [f for f in functions if f[0] > MAX_FUNCTION_LINES] == []


# Each vocabulary, with the module allowed to list all of its ids. Segment kinds are a typed Literal in
# the model as well; their labels are held to it, in order, by the /vocabulary test.
VOCABULARIES = {
    "roles": (ROLE_IDS, {"ingest/vocabulary.py"}),
    "segment kinds": (tuple(SEGMENT_KIND_LABELS), {"ingest/vocabulary.py", "ingest/model.py"}),
    "relations": (tuple(RELATION_LABELS), {"ingest/vocabulary.py"}),
    "access levels": (LEVELS, {"search_api/access.py"}),
}


def _statements(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.stmt) and not isinstance(node, ast.FunctionDef | ast.ClassDef | ast.If)
    ]


@pytest.mark.parametrize("name", VOCABULARIES)
def test_a_vocabulary_is_listed_in_one_module_only(name: str) -> None:
    ids, homes = VOCABULARIES[name]
    assert len(ids) >= 3 and CODE
    listing = [
        str(path.relative_to(ROOT))
        for path in CODE
        for statement in _statements(path)
        if all(re.search(rf"[\"']{re.escape(i)}[\"']", statement) for i in ids)
    ]
    assert set(listing) <= homes, f"{name} listed again in {sorted(set(listing) - homes)}"


def test_the_page_takes_every_label_from_the_vocabulary_endpoint() -> None:
    labels = [role.label for role in ROLES]
    labels += [*SEGMENT_KIND_LABELS.values(), *RELATION_LABELS.values(), *LEVEL_LABELS.values()]
    assert len(labels) > 20
    copies = []
    for path in PAGE:
        text = path.read_text(encoding="utf-8")
        for label in labels:
            for form in {label, label[:1].upper() + label[1:]}:
                if re.search(rf"[\"'>]{re.escape(form)}[\"'<]", text):
                    copies.append(f"{path.name}: {form}")
    assert copies == []
