"""A throwaway PostgreSQL server for tests: Debian's binaries, initdb in a temp folder, a free
local port, stopped and removed at the end. As root, the server runs as the `postgres` user
(PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian's layout), or None."""
    found = sorted(
        (Path(p) for p in glob.glob(PG_BIN_GLOB) if (Path(p) / "initdb").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return found[-1] if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner() -> tuple[list[str], str | None]:
    """The command prefix that runs PostgreSQL as a non-root user, and that user."""
    if os.geteuid() != 0:
        return [], None
    pwd.getpwnam("postgres")  # Debian's package creates it
    return ["runuser", "-u", "postgres", "--"], "postgres"


@contextmanager
def running_server() -> Iterator[str]:
    """Start a server; yield its SQLAlchemy URL (database `postgres`, trust auth)."""
    bindir = pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package `postgresql`)")
    prefix, owner = _as_owner()
    root = Path(tempfile.mkdtemp(prefix="cfu-pg-"))
    data, log = root / "data", root / "server.log"
    if owner:
        shutil.chown(root, user=owner)
    started = False

    def run(*args: str, check: bool = True) -> None:
        subprocess.run(
            [*prefix, *args],
            cwd=root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=check,
        )

    try:
        initdb = str(bindir / "initdb")
        run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync")
        port = _free_port()
        options = (
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        pg_ctl = str(bindir / "pg_ctl")
        run(pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start")
        started = True
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    except subprocess.CalledProcessError as exc:
        text = log.read_text() if log.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{text}") from None
    finally:
        if started:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str) -> str:
    """A new empty database on the server; returns its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')  # a generated identifier, not user input
    return url.set(database=name).render_as_string(hide_password=False)
