"""``bmdlab serve``'s settings: what it binds to and answers, where its files are, and the checks of its
options before anything starts (one-line errors naming the option)."""

from __future__ import annotations

import errno
import secrets
import socket
from importlib import resources
from pathlib import Path

from bmdlab.errors import BmdlabError

#: Addresses that keep the server on this machine.
LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Host headers a loopback server answers to: the loopback addresses, IPv6 also in brackets (as in a URL).
LOOPBACK_HOSTS = (*LOOPBACK, "[::1]")
#: Largest request body the server reads [bytes] (a scenario YAML is a few KiB).
MAX_BODY_BYTES = 256 * 1024
#: Deepest nesting of arrays and objects a JSON request body may have (a scenario has fewer than ten levels);
#: deeper bodies are refused before they are parsed.
MAX_JSON_DEPTH = 64
#: Methods that change the server's state: cross-site checked, JSON typed and token bearing (see web/guard.py).
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
#: The request header carrying the server's token (see :func:`new_token`).
TOKEN_HEADER = "X-Bmdlab-Token"
#: What a token given to ``create_app(token=...)`` may be made of, and its shortest length.
TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
TOKEN_MIN_CHARS = 16
#: The page's grid choices [km].
RESOLUTIONS_KM = (20.0, 10.0, 5.0)
#: Shipped geodata the page draws, by layer name.
GEO_LAYERS = {
    "outline": "japan_outline.geojson",
    "prefectures": "japan_prefectures.geojson",
    "region-context": "region_context.geojson",
}
#: The page's files.
STATIC = Path(str(resources.files("bmdlab") / "web" / "static"))


def check_serve_options(
    host: str, port: int, *, workers: int | None = None, max_jobs: int = 8, cache_gib: float = 3.0
) -> None:
    """Refuse bad values, and a port that is taken or an address this machine does not have."""
    if workers is not None and not 1 <= workers <= 64:
        raise BmdlabError(f"workers: {workers} must be between 1 and 64")
    if not 1 <= max_jobs <= 1000:
        raise BmdlabError(f"max_jobs: {max_jobs} must be between 1 and 1000")
    if not 0.1 <= cache_gib <= 1024:
        raise BmdlabError(f"cache_gib: {cache_gib:g} must be between 0.1 and 1024")
    if not 1 <= port <= 65535:
        raise BmdlabError(f"port: {port} must be between 1 and 65535")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except socket.gaierror:
            raise BmdlabError(f"host: '{host}' is not an address of this machine; use 127.0.0.1") from None
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise BmdlabError(
                    f"host: '{host}' is not an address of this machine; use 127.0.0.1 (or 0.0.0.0 for every interface)"
                ) from None
            raise BmdlabError(
                f"port: {port} on {host} is not free ({exc.strerror}); choose another with `port`"
            ) from None


def new_token() -> str:
    """A fresh random token for one server (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def check_token(token: str) -> str:
    """A token chosen by the caller (``create_app(token=...)``): at least 16 URL-safe characters, or a one-line error."""
    if not isinstance(token, str) or len(token) < TOKEN_MIN_CHARS or not set(token) <= TOKEN_CHARS:
        raise BmdlabError(
            f"token: give at least {TOKEN_MIN_CHARS} characters from A-Z, a-z, 0-9, '-' and '_' "
            "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return token
