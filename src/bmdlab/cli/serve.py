"""``bmdlab serve``: the local web app (:mod:`bmdlab.web.app`)."""

from __future__ import annotations

import os
import threading
import webbrowser
from typing import Annotated

import typer

from bmdlab.cli import panels
from bmdlab.cli._app import app, catalog_dir, console, err_console, user_errors


@app.command(rich_help_panel=panels.WEB)
@user_errors()
def serve(
    ctx: typer.Context,
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8765,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Anything but localhost lets other machines "
            "use the server: its token keeps other web sites out, not other programs.",
        ),
    ] = "127.0.0.1",
    browser: Annotated[
        bool, typer.Option("--browser/--no-browser", help="Open the page in the default browser.")
    ] = True,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Job worker threads (default: one per core).")
    ] = None,
    max_jobs: Annotated[int, typer.Option("--max-jobs", help="Jobs queued or running at once; more get HTTP 429.")] = 8,
    cache_gib: Annotated[float, typer.Option("--cache-gib", help="Memory for cached trajectories. [GiB]")] = 3.0,
    warm: Annotated[
        bool, typer.Option("--warm/--no-warm", help="Compute the baseline's 10 km coverage at start-up.")
    ] = True,
) -> None:
    """Serve the interactive map of Japan's missile defence on this machine (Ctrl-C stops it)."""
    # lazy: keeps `bmdlab --version` fast (the server's stack, bmdlab.web, loads only when `serve` runs)
    from bmdlab.web.options import LOOPBACK, check_serve_options

    check_serve_options(host, port, workers=workers, max_jobs=max_jobs, cache_gib=cache_gib)
    import uvicorn  # lazy: the ASGI server (~80 modules) loads only when `serve` runs

    # lazy: the web app loads FastAPI and bmdlab.api (~1 s); only when `serve` runs
    from bmdlab.web.app import create_app
    from bmdlab.web.options import LOOPBACK_HOSTS

    loopback = host in LOOPBACK
    if not loopback:
        err_console.print(
            f"[bold yellow]warning:[/] serving on {host}: anyone who can reach this machine on port {port} "
            "can use the server (any program can read its token from /api/token; it keeps only other web sites out)",
            highlight=False,
            soft_wrap=True,
        )
    application = create_app(
        catalog_dir(ctx),
        workers=workers or os.cpu_count() or 1,
        max_jobs=max_jobs,
        cache_gib=cache_gib,
        warm=warm,
        allowed_hosts=LOOPBACK_HOSTS if loopback else None,
    )
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else shown}:{port}/"
    console.print(f"bmdlab serving at {url}  (API docs {url}api/docs; Ctrl-C stops)", highlight=False, soft_wrap=True)
    if browser:
        threading.Timer(1.0, lambda: webbrowser.open(url)).start()
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    console.print("bmdlab serve stopped", highlight=False)
