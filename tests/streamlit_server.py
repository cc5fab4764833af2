"""`streamlit run app.py` on a free local port, for the browser tests and the browser benchmarks.

    with streamlit_app(tmp_path / "streamlit.log") as app:
        page.goto(app.url)

The server runs in its own process group and is stopped (SIGTERM, then SIGKILL) on leaving;
when it does not answer its health check in time, RuntimeError carries its log.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class App:
    url: str
    pid: int  # the server's process (and process group)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def streamlit_app(
    log_path: Path, *, env: Mapping[str, str] | None = None, start_seconds: float = 120
) -> Iterator[App]:
    """The app served on 127.0.0.1 at a free port, its output appended to log_path."""
    port = free_port()
    streamlit = shutil.which("streamlit", path=str(Path(sys.executable).parent)) or "streamlit"
    with log_path.open("a") as log:
        proc = subprocess.Popen(
            [
                *(streamlit, "run", "app.py", "--server.headless", "true"),
                *("--server.port", str(port), "--server.address", "127.0.0.1"),
                *("--browser.gatherUsageStats", "false"),
            ],
            cwd=ROOT,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_seconds
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the app did not start:\n{log_path.read_text()}")
                time.sleep(0.25)
            yield App(url, proc.pid)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=15)
