"""The catalog as a graph for other tools: JSON (nodes and edges), Graphviz DOT, or Mermaid.

Over the whole catalog or one document's neighbourhood (its node and the nodes directly linked to it).
Edges with the same ends and relation are merged, keeping the segments that state them. Labels are
quoted and escaped for each format, so Vietnamese titles and quotes in names stay valid.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from search_api.queries.trace import NotFoundError
from search_api.store import Record, catalog

FORMATS = ("json", "dot", "mermaid")


def graph_data(record: Record, levels: Collection[str], document_id: str | None = None) -> dict[str, Any]:
    levels = list(levels)
    edges = catalog.all_edges(record, levels)
    if document_id is not None:
        center = catalog.key_of_document_id(record, document_id, levels)
        if center is None:
            raise NotFoundError(f"no document '{document_id}' is known")
        edges = [e for e in edges if center in (e["source"], e["target"])]
        keys = list(dict.fromkeys([center, *(k for e in edges for k in (e["source"], e["target"]))]))
    else:
        keys = catalog.node_keys(record, levels)
    nodes = {}
    for key in keys:
        found = catalog.node(record, key, levels)
        if found is not None:
            nodes[key] = {
                k: found[k] for k in ("key", "kind", "number", "type", "date", "issuer", "title")
            } | {
                "level": found["level"],
                "document_id": found["document_id"],
            }
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for edge in edges:
        if edge["source"] not in nodes or edge["target"] not in nodes:
            continue
        entry = merged.setdefault(
            (edge["source"], edge["target"], edge["relation"]),
            {
                "source": edge["source"],
                "target": edge["target"],
                "relation": edge["relation"],
                "segments": [],
            },
        )
        if edge["segment_id"] and edge["segment_id"] not in entry["segments"]:
            entry["segments"].append(edge["segment_id"])
    return {"nodes": list(nodes.values()), "edges": list(merged.values())}


def graph(
    record: Record,
    levels: Collection[str],
    document_id: str | None = None,
    format: str = "json",
) -> str:
    if format not in FORMATS:
        raise NotFoundError(f"unknown graph format '{format}': use one of {', '.join(FORMATS)}")
    data = graph_data(record, levels, document_id)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2)
    return to_dot(data) if format == "dot" else to_mermaid(data)


def _label(node: dict[str, Any]) -> str:
    parts = [node["number"]]
    if node.get("type") and node["kind"] != "named":
        parts.append(node["type"])
    if node.get("level"):
        parts.append(f"({node['level']})")
    return " ".join(parts)


def _dot_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(data: dict[str, Any]) -> str:
    lines = ["digraph vanban {", "  rankdir=BT;", '  node [shape=box, fontname="Arial"];']
    for node in data["nodes"]:
        style = "" if node["document_id"] else ", style=dashed"  # dashed: only cited, not ingested
        lines.append(f"  {_dot_string(node['key'])} [label={_dot_string(_label(node))}{style}];")
    for edge in data["edges"]:
        lines.append(
            f"  {_dot_string(edge['source'])} -> {_dot_string(edge['target'])}"
            f" [label={_dot_string(edge['relation'])}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    # Mermaid labels are in double quotes and take no escapes: write quotes as the #quot; entity.
    return '"' + " ".join(text.split()).replace('"', "#quot;") + '"'


def to_mermaid(data: dict[str, Any]) -> str:
    ids = {node["key"]: f"n{index}" for index, node in enumerate(data["nodes"])}
    lines = ["flowchart BT"]
    for node in data["nodes"]:
        lines.append(f"  {ids[node['key']]}[{_mermaid_text(_label(node))}]")
    for edge in data["edges"]:
        lines.append(f"  {ids[edge['source']]} -->|{_mermaid_text(edge['relation'])}| {ids[edge['target']]}")
    return "\n".join(lines) + "\n"
