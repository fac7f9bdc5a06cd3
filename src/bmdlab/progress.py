"""Progress of long work: a Rich bar on a terminal, plain timestamped lines when redirected.

:func:`progress_display` returns either :class:`rich.progress.Progress` or :class:`LineProgress`,
which offer the same small interface (``add_task``, ``advance``, ``update``, a context manager), so
a command reports progress the same way whether a person watches it or a log file records it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from rich.console import Console

from bmdlab.errors import BmdlabError


@dataclass
class _Task:
    id: int
    description: str
    total: float | None
    completed: float = 0.0
    started: float = 0.0
    last_line: float = 0.0


class LineProgress:
    """Progress as timestamped lines: one when a task starts, at most one per ``interval`` seconds
    while it runs, and one when it completes (with its elapsed time)."""

    def __init__(self, console: Console, interval: float = 10.0) -> None:
        self.console = console
        self.interval = interval
        self.tasks: list[_Task] = []

    def __enter__(self) -> LineProgress:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def _line(self, text: str) -> None:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        self.console.print(f"{stamp} {text}", markup=False, highlight=False, soft_wrap=True)

    def add_task(self, description: str, total: float | None = None, **_: Any) -> int:
        now = time.monotonic()
        task = _Task(len(self.tasks), description, total, started=now, last_line=now)
        self.tasks.append(task)
        self._line(f"{description}: started" + (f" (0/{total:g})" if total else ""))
        return task.id

    def update(self, task_id: int, *, completed: float | None = None, advance: float | None = None, **_: Any) -> None:
        task = self.tasks[task_id]
        before = task.completed
        if completed is not None:
            task.completed = completed
        if advance is not None:
            task.completed += advance
        now = time.monotonic()
        finished = task.total is not None and task.completed >= task.total > before
        if finished:
            self._line(f"{task.description}: done {task.completed:g}/{task.total:g} in {now - task.started:.1f} s")
            task.last_line = now
        elif now - task.last_line >= self.interval:
            of = f"/{task.total:g}" if task.total is not None else ""
            self._line(f"{task.description}: {task.completed:g}{of} after {now - task.started:.0f} s")
            task.last_line = now

    def advance(self, task_id: int, advance: float = 1.0) -> None:
        self.update(task_id, advance=advance)


def progress_display(console: Console, *, spinner: bool = False, interval: float = 10.0) -> Any:
    """A Rich progress bar if ``console`` is a terminal, else a :class:`LineProgress`."""
    if not console.is_terminal:
        return LineProgress(console, interval)
    # lazy: rich.progress adds ~5 ms to every CLI start (`bmdlab --version` too); only a terminal's bar needs it
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f}/{task.total:,.0f}"),
        TimeElapsedColumn(),
    ]
    return Progress(*([SpinnerColumn()] if spinner else []), *columns, console=console, transient=True)


def json_lines(stream: IO[str], what: str = "progress events") -> Callable[[Any], None]:
    """A progress callback that writes each event's ``to_dict()`` as one JSON line to ``stream`` (for a
    program that runs bmdlab and follows it, e.g. ``bmdlab serve`` following a study). A reader that
    closes the stream stops the run with a one-line error saying so."""

    def write(event: Any) -> None:
        try:
            stream.write(json.dumps(event.to_dict()) + "\n")
            stream.flush()
        except BrokenPipeError:
            raise BmdlabError(f"{what}: the program reading them closed the stream; the run stopped") from None

    return write
