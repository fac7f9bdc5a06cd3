"""Progress displays (bmdlab.progress): a bar on a terminal, timestamped lines when redirected."""

import io
import re

from rich.console import Console

from bmdlab.progress import LineProgress, progress_display


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buf = io.StringIO()
    return Console(file=buf, force_terminal=terminal, width=200), buf


def test_redirected_output_gets_timestamped_lines_only_at_start_end_and_interval():
    con, buf = _console(False)
    prog = progress_display(con, interval=3600.0)
    assert isinstance(prog, LineProgress)
    with prog:
        t = prog.add_task("coverage", total=4)
        for _ in range(4):
            prog.advance(t)
    lines = buf.getvalue().splitlines()
    assert len(lines) == 2
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d coverage: ", x) for x in lines)
    assert lines[0].endswith("started (0/4)") and "done 4/4 in" in lines[1]


def test_interval_zero_reports_every_step_and_update_sets_completed():
    con, buf = _console(False)
    prog = LineProgress(con, interval=0.0)
    t = prog.add_task("sweep", total=10)
    prog.update(t, completed=3)
    prog.update(t, completed=10)
    prog.update(t, completed=10)  # already done: no second 'done' line
    lines = buf.getvalue().splitlines()
    assert [x.split(" ", 2)[2] for x in lines][:2] == ["sweep: started (0/10)", "sweep: 3/10 after 0 s"]
    assert sum("done" in x for x in lines) == 1


def test_terminal_gets_a_rich_bar():
    from rich.progress import Progress

    con, _ = _console(True)
    assert isinstance(progress_display(con), Progress)


def test_json_progress_events_stop_in_one_line_when_the_reader_goes_away():
    import io
    import json

    import pytest

    from bmdlab.errors import BmdlabError
    from bmdlab.progress import json_lines

    class Event:
        def to_dict(self):
            return {"stage": 1, "fraction": 0.5}

    out = io.StringIO()
    json_lines(out)(Event())
    assert json.loads(out.getvalue()) == {"stage": 1, "fraction": 0.5}

    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BmdlabError, match="progress events: the program reading them closed the stream"):
        json_lines(Closed())(Event())
