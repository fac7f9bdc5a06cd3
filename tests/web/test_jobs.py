"""The job queue of ``bmdlab serve`` (bmdlab.web.jobs): bounded, cancellable, failures in one line."""

import threading
import time

import pytest

from bmdlab.errors import BmdlabError
from bmdlab.web.jobs import Cancelled, JobQueue, QueueFull


def _wait(q, job, timeout=10.0):
    return q.wait(job, timeout=timeout)


def test_results_errors_and_progress():
    q = JobQueue(workers=2, max_jobs=4)
    ok = q.submit("x", lambda job: (job.tick(0.5, "half"), 42)[1])
    bad = q.submit("x", lambda job: (_ for _ in ()).throw(BmdlabError("trials: 0 must be at least 1\nsecond line")))
    bug = q.submit("x", lambda job: 1 / 0)
    assert _wait(q, ok).state == "done" and ok.result == 42 and ok.progress == 1.0 and ok.message == "half"
    assert _wait(q, bad).state == "failed" and bad.error.startswith("trials: 0 must be at least 1")
    assert _wait(q, bug).state == "failed" and bug.error == "internal error: ZeroDivisionError: division by zero"
    assert "\n" not in bug.error
    st = ok.status()
    assert st["result"] == 42 and st["state"] == "done"
    q.shutdown()


def test_the_queue_is_bounded_and_cancels():
    q = JobQueue(workers=1, max_jobs=2)
    gate = threading.Event()

    def slow(job):
        while not gate.is_set():
            job.tick(0.1)  # raises Cancelled once cancelled
            time.sleep(0.01)
        return "finished"

    running, queued = q.submit("x", slow), q.submit("x", slow)
    with pytest.raises(QueueFull, match="2 jobs are already queued or running"):
        q.submit("x", slow)
    q.cancel(queued.id)
    assert queued.state == "cancelled"  # a queued job is cancelled at once and never starts
    q.cancel(running.id)
    assert _wait(q, running).state == "cancelled"
    third = q.submit("x", lambda job: "ok")  # room again
    assert _wait(q, third).result == "ok"
    assert q.cancel("no-such-job") is None and q.get("no-such-job") is None
    q.shutdown()


def test_tick_raises_after_cancel():
    q = JobQueue(workers=1, max_jobs=1)
    started, hold = threading.Event(), threading.Event()

    def fn(job):
        started.set()
        hold.wait(5)
        job.tick(0.2)
        return "not reached"

    job = q.submit("x", fn)
    started.wait(5)
    q.cancel(job.id)
    hold.set()
    assert _wait(q, job).state == "cancelled" and job.result is None
    with pytest.raises(Cancelled):
        job.tick(0.3)
    q.shutdown()


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        JobQueue(workers=0)


def test_cancel_requested_wakes_a_waiting_job():
    """Work that cannot tick (a job waiting on a child process) learns of a cancel at once."""
    q = JobQueue(workers=1, max_jobs=1)
    waited = []

    def fn(job):
        t0 = time.monotonic()
        while not job.cancel_requested(timeout=10):
            pass
        waited.append(time.monotonic() - t0)
        job.tick(0.5)  # raises Cancelled

    job = q.submit("x", fn)
    while job.state != "running":
        time.sleep(0.01)
    assert not job.cancel_requested()
    time.sleep(0.2)
    q.cancel(job.id)
    assert _wait(q, job).state == "cancelled" and job.cancel_requested()
    assert waited and waited[0] < 5  # woken by the cancel, not by the 10 s timeout
    q.shutdown()
