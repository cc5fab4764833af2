"""The local Flink engine: where it lives, and running our runner module under it.

PyFlink pins older pandas, numpy and pyarrow than the app, so it lives in its own virtual
environment (`.flink-venv/`, made by `make flink`) and is driven through a subprocess: the
runner (estimator/calibrate/runner.py) reads a JSON spec and prints JSON events.

Every runner starts in its own session (process group) with its JVM; the group is killed when
the run ends, fails, times out or is interrupted (Ctrl-C, SIGTERM), and at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from estimator.calibrate.errors import CalibrationError, EngineMissing

FLINK_VERSION = "2.3.0"
RUNNER = Path(__file__).with_name("runner.py")
MARKER = "@@calibrate "
ENV_PYTHON = "CFU_ESTIMATOR_FLINK_PYTHON"
JVM_ARGS = "-XX:-UseDynamicNumberOfCompilerThreads -XX:+UseSerialGC -Xms3g -Xmx3g"
SETUP_HINT = (
    "the local Flink engine is not set up: run `make flink` in the project folder (it creates "
    f".flink-venv with apache-flink=={FLINK_VERSION} and installs Java 17 when missing)"
)

Event = dict[str, Any]
_ACTIVE: set[int] = set()  # process groups of running runners
_LOCK = threading.Lock()


def _project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def flink_python() -> Path | None:
    """The Flink venv's python: $CFU_ESTIMATOR_FLINK_PYTHON, else .flink-venv of the project
    (or of the current folder); None when there is none with pyflink installed."""
    override = os.environ.get(ENV_PYTHON)
    candidates = [Path(override)] if override else []
    candidates += [_project_root() / ".flink-venv", Path.cwd() / ".flink-venv"]
    for candidate in candidates:
        python = candidate if candidate.is_file() else candidate / "bin" / "python"
        if python.is_file() and any(
            python.parent.parent.glob("lib/python3*/site-packages/pyflink")
        ):
            return python
    return None


def java_available() -> bool:
    home = os.environ.get("JAVA_HOME")
    return bool(shutil.which("java") or (home and (Path(home) / "bin" / "java").is_file()))


def available() -> bool:
    """True when calibration can run here: the Flink venv with pyflink, and Java."""
    return flink_python() is not None and java_available()


def kill_group(pgid: int, grace: float = 3.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left after `grace` seconds."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = grace
    while deadline > 0:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            break
        threading.Event().wait(0.1)
        deadline -= 0.1
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    with _LOCK:
        _ACTIVE.discard(pgid)


@atexit.register
def _kill_all() -> None:
    for pgid in list(_ACTIVE):
        kill_group(pgid, grace=1.0)


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """In the main thread, turn SIGTERM and SIGHUP into KeyboardInterrupt for this block, so
    the `finally` that kills the JVM runs (the default action would skip it)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    saved = {s: signal.signal(s, interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in saved.items():
            signal.signal(s, handler)


def _reader(stream: IO[str], out: queue.Queue[str | None]) -> None:
    for line in stream:
        out.put(line)
    out.put(None)


def _tail(path: Path, lines: int = 5) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    useful = [line for line in text if line.strip() and not line.startswith(("\tat ", "  "))]
    return " | ".join(useful[-lines:])


def run_runner(
    spec: dict[str, Any],
    on_event: Callable[[Event], None],
    *,
    silence_limit: float,
) -> list[Event]:
    """Run the runner with `spec`; call `on_event` for each event; return all events.

    Raises EngineMissing when there is no engine, CalibrationError when the runner dies or
    says nothing for `silence_limit` seconds. The runner's process group is always killed.
    """
    python = flink_python()
    if python is None or not java_available():
        raise EngineMissing(SETUP_HINT)
    events: list[Event] = []
    with tempfile.TemporaryDirectory(prefix="cfu-calibrate-") as tmp:
        log = Path(tmp) / "runner.log"
        with _signals_raise(), log.open("w") as err:
            env = dict(os.environ)
            # Keep the JIT compiler threads alive, so the runner can leave their CPU time out.
            env["JVM_ARGS"] = (env.get("JVM_ARGS", "") + " " + JVM_ARGS).strip()
            proc = subprocess.Popen(
                [str(python), str(RUNNER)],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                cwd=tmp,
                start_new_session=True,
            )
            with _LOCK:
                _ACTIVE.add(proc.pid)
            try:
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write(json.dumps(spec))
                proc.stdin.close()
                lines: queue.Queue[str | None] = queue.Queue()
                threading.Thread(target=_reader, args=(proc.stdout, lines), daemon=True).start()
                while True:
                    try:
                        line = lines.get(timeout=silence_limit)
                    except queue.Empty:
                        raise CalibrationError(
                            f"the local Flink engine said nothing for {silence_limit:g} s; "
                            "stopped it"
                        ) from None
                    if line is None:
                        break
                    if not line.startswith(MARKER):
                        continue
                    event = json.loads(line[len(MARKER) :])
                    events.append(event)
                    on_event(event)
                    if event.get("event") == "done":
                        break
            finally:
                kill_group(proc.pid)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=5)
        if not any(e.get("event") == "done" for e in events):
            detail = _tail(log)
            raise CalibrationError(
                "the local Flink engine stopped before finishing"
                + (f": {detail}" if detail else f" (exit code {proc.returncode})")
            )
    return events
