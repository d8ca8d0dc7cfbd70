"""Uploads as jobs: a file is read, stored and indexed by one worker in the background, in the order
sent, and its state can be asked for while it runs.

A scan of 100 pages takes minutes to OCR: no HTTP client should hold a request open that long, and
an upload must not hold the store's write lock while it is read. The upload request waits for its
job a short while (`VANBAN_UPLOAD_WAIT_SECONDS`) and answers with the outcome when it is done in
time, as before; otherwise it answers 202 with the job's address, `GET /uploads/{id}`, which says
what the job is doing (queued, reading and how many pages OCR has read, analysing, indexing) and,
when it is done, its outcome in the same shape as the upload's answer. Only the key that sent the
file may ask. Finished jobs are kept for an hour.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from search_api.intake import FileOutcome, ReaderProcess

log = logging.getLogger("vanban.http")

KEPT_SECONDS = 3600  # how long a finished job's outcome can be asked for
STATES = ("queued", "reading", "analysing", "indexing", "done", "failed")


class QueueFull(Exception):
    """More uploads are waiting than the service keeps (`VANBAN_MAX_QUEUED_UPLOADS`)."""


@dataclass(eq=False)  # a job is itself: found in the queue by identity
class UploadJob:
    id: str
    file_name: str
    owner: str  # a hash of the key that sent it: only that key may ask about it
    scratch: Path  # the folder holding the file's copy, removed when the job ends
    work: Callable[[UploadJob], FileOutcome]
    state: str = "queued"
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    outcome: FileOutcome | None = None
    pages: Callable[[], tuple[int, int]] | None = None  # (read, in all) while OCR reads it
    done: threading.Event = field(default_factory=threading.Event)

    def stage(self, name: str) -> None:
        self.state = name

    def pages_read(self) -> tuple[int, int]:
        """(pages OCR has read, pages in all) while the job is reading; (0, 0) otherwise."""
        return self.pages() if self.state == "reading" and self.pages is not None else (0, 0)


def key_owner(key: str | None) -> str:
    """Who sent a job, without keeping the key itself."""
    return hashlib.sha256((key or "").encode()).hexdigest()


class UploadQueue:
    """The jobs, run one at a time by a worker thread (uploads share one reader process and are
    stored one at a time anyway); `limit` jobs at most wait or run at once."""

    def __init__(self, reader: ReaderProcess, limit: int) -> None:
        self.reader = reader
        self.limit = limit
        self._jobs: dict[str, UploadJob] = {}
        self._waiting: deque[UploadJob] = deque()
        self._lock = threading.Lock()
        self._more = threading.Condition(self._lock)
        self._closing = False
        self._worker = threading.Thread(target=self._run, name="vanban-uploads", daemon=True)
        self._worker.start()

    def submit(
        self, file_name: str, owner: str, scratch: Path, work: Callable[[UploadJob], FileOutcome]
    ) -> UploadJob:
        """Queue `work(job)`; `scratch` is removed when it has run. QueueFull when `limit` jobs wait."""
        with self._lock:
            self._forget_old()
            if self._closing:
                raise QueueFull("the service is stopping: send the file again once it is back")
            unfinished = sum(1 for job in self._jobs.values() if job.finished is None)
            if unfinished >= self.limit:
                raise QueueFull(f"{unfinished} uploads are waiting to be read: try again shortly")
            job = UploadJob(secrets.token_urlsafe(12), file_name, owner, scratch, work)
            self._jobs[job.id] = job
            self._waiting.append(job)
            self._more.notify()
        return job

    def job(self, job_id: str, owner: str) -> UploadJob | None:
        """The job, for the key that sent it; None for an unknown id or another key's job."""
        with self._lock:
            found = self._jobs.get(job_id)
        return found if found is not None and secrets.compare_digest(found.owner, owner) else None

    def position(self, job: UploadJob) -> int:
        """How many jobs run or wait before `job` (0 when it runs or has run)."""
        with self._lock:
            if job not in self._waiting:
                return 0
            running = sum(1 for other in self._jobs.values() if other.started and not other.finished)
            return running + list(self._waiting).index(job)

    def close(self) -> None:
        """Stop taking jobs; those still waiting fail with a message; the running one is let finish."""
        with self._lock:
            self._closing = True
            waiting = list(self._waiting)
            self._waiting.clear()
            self._more.notify()
        for job in waiting:
            stopped = "the service stopped before reading it: send it again once it is back"
            self._finish(job, FileOutcome(job.file_name, "failed", message=stopped, failure="unavailable"))
        self._worker.join(timeout=120)

    def _run(self) -> None:
        while True:
            with self._lock:
                while not self._waiting and not self._closing:
                    self._more.wait()
                if not self._waiting:
                    return
                job = self._waiting.popleft()
                job.started = time.time()
            self.reader.forget_pages()
            job.pages = self.reader.pages_read
            try:
                outcome = job.work(job)
            except Exception as exc:  # a bug must not stop the worker or the jobs after it
                log.exception("upload %s failed", job.id)
                outcome = FileOutcome(
                    job.file_name,
                    "failed",
                    message=f"internal error ({type(exc).__name__})",
                    failure="internal",
                )
            self._finish(job, outcome)

    def _finish(self, job: UploadJob, outcome: FileOutcome) -> None:
        job.finished = time.time()  # first: a job seen with its outcome has its end time
        job.outcome = outcome
        job.state = "failed" if outcome.status == "failed" else "done"
        shutil.rmtree(job.scratch, ignore_errors=True)
        job.done.set()

    def _forget_old(self) -> None:
        now = time.time()
        for job_id in [
            i for i, job in self._jobs.items() if job.finished and now - job.finished > KEPT_SECONDS
        ]:
            del self._jobs[job_id]
