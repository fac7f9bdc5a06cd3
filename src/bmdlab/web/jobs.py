"""A bounded queue of long jobs (coverages, raids, comparisons) run off the request threads.

Jobs run in a small pool of worker threads (one per core by default: NumPy releases the GIL in its
array loops). A job reports progress through a callback; cancelling a job makes that callback raise
:class:`Cancelled` at the job's next tick, so a running job stops within one progress step. The queue
holds at most ``max_jobs`` unfinished jobs: beyond that :meth:`JobQueue.submit` raises
:class:`QueueFull` (the server answers 429) instead of letting a flood of requests pile up.
"""

from __future__ import annotations

import itertools
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bmdlab.errors import BmdlabError

#: Finished jobs kept for their results (the oldest are dropped first).
KEEP_FINISHED = 64


class Cancelled(Exception):
    """Raised inside a job whose cancellation was requested."""


class QueueFull(Exception):
    """Too many unfinished jobs."""


@dataclass
class Job:
    """One job: its state, progress and, when done, its result or one-line error."""

    id: str
    kind: str
    state: str = "queued"  #: queued | running | done | failed | cancelled
    progress: float = 0.0  #: fraction done, 0..1
    message: str = ""
    result: Any = None
    error: str | None = None
    created: float = field(default_factory=time.time)
    finished: float | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def done(self) -> bool:
        return self.state in ("done", "failed", "cancelled")

    def tick(self, fraction: float, message: str = "") -> None:
        """Report progress (0..1); raises :class:`Cancelled` if the job was cancelled."""
        if self._cancel.is_set():
            raise Cancelled()
        self.progress = min(max(float(fraction), 0.0), 1.0)
        if message:
            self.message = message

    def cancel_requested(self, timeout: float = 0.0) -> bool:
        """Whether the job was asked to stop, waiting up to ``timeout`` seconds for that (for work that cannot
        tick, such as a child process the job waits on)."""
        return self._cancel.wait(timeout) if timeout > 0 else self._cancel.is_set()

    def status(self, with_result: bool = True) -> dict[str, Any]:
        out = {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "progress": round(self.progress, 4),
            "message": self.message,
        }
        if self.error is not None:
            out["error"] = self.error
        if with_result and self.state == "done":
            out["result"] = self.result
        return out


class JobQueue:
    """Run jobs on ``workers`` threads, with at most ``max_jobs`` queued or running at once."""

    def __init__(self, workers: int = 2, max_jobs: int = 8):
        if workers < 1 or max_jobs < 1:
            raise ValueError("workers and max_jobs must be at least 1")
        self.workers, self.max_jobs = int(workers), int(max_jobs)
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="bmdlab-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._count = itertools.count(1)

    def submit(self, kind: str, fn: Callable[[Job], Any]) -> Job:
        """Queue ``fn(job)``; its return value becomes the job's result. Raises :class:`QueueFull`."""
        with self._lock:
            if sum(not j.done for j in self._jobs.values()) >= self.max_jobs:
                raise QueueFull(
                    f"{self.max_jobs} jobs are already queued or running; wait for one to finish "
                    "or cancel one (DELETE /api/jobs/ID)"
                )
            job = Job(id=f"{next(self._count)}-{secrets.token_hex(4)}", kind=kind)
            self._jobs[job.id] = job
            finished = [k for k, j in self._jobs.items() if j.done]
            for k in finished[: max(0, len(finished) - KEEP_FINISHED)]:
                del self._jobs[k]
        self._pool.submit(self._run, job, fn)
        return job

    def _run(self, job: Job, fn: Callable[[Job], Any]) -> None:
        if job._cancel.is_set():
            job.state, job.finished = "cancelled", time.time()
            return
        job.state = "running"
        try:
            result = fn(job)
        except Cancelled:
            job.state = "cancelled"
        except BmdlabError as exc:
            job.error, job.state = str(exc), "failed"
        except MemoryError:
            job.error, job.state = (
                "memory: the job needs more memory than this machine has; use a coarser grid or fewer trials",
                "failed",
            )
        except Exception as exc:  # noqa: BLE001 - a job must never take the server down; report it in one line
            job.error, job.state = f"internal error: {type(exc).__name__}: {exc}".splitlines()[0], "failed"
        else:
            job.result, job.progress, job.state = result, 1.0, "done"
        job.finished = time.time()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def cancel(self, job_id: str) -> Job | None:
        """Ask a job to stop (a queued job never starts; a running one stops at its next tick)."""
        job = self.get(job_id)
        if job is not None and not job.done:
            job._cancel.set()
            if job.state == "queued":
                job.state, job.finished = "cancelled", time.time()
        return job

    def wait(self, job: Job, timeout: float | None = None) -> Job:
        """Block until ``job`` finishes (for the synchronous endpoints and tests)."""
        end = None if timeout is None else time.monotonic() + timeout
        while not job.done:
            if end is not None and time.monotonic() > end:
                break
            time.sleep(0.02)
        return job

    def shutdown(self) -> None:
        """Cancel every unfinished job and stop the workers."""
        with self._lock:
            jobs = list(self._jobs.values())
        for j in jobs:
            if not j.done:
                j._cancel.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
