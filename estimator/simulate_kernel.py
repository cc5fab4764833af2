"""The simulation's per-minute core: one loop over minutes and statements, compiled by numba.

`run` is the whole algorithm (estimator/simulate.py describes it and prepares its arrays). It
is plain Python over numpy arrays, so `interpreted("run")(...)` runs the very same code
interpreted: the benchmark and the tests use that as the straightforward reference, and there
is no second implementation to drift apart.

The first call in a process compiles it (a few seconds) unless numba's on-disk cache has it.
The cache lives in `__pycache__` next to this file; when that is not writable (a read-only
install) it goes to a user cache directory, and when no directory is writable the kernel is
simply compiled on each first call. Importing this module compiles nothing.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import types
from pathlib import Path
from typing import Any

import numba
import numpy as np

from estimator.timeline import (
    OK,
    PENDING,
    PENDING_SCALE_DOWN,
    PENDING_SCALE_UP,
    POOL_EXHAUSTED,
    STOPPED,
)

# The kernel writes these codes as compiled-in constants; the on-disk cache is keyed on this
# file only, so a change of the codes in estimator/timeline.py must fail loudly here.
_CODES = (STOPPED, OK, PENDING_SCALE_UP, PENDING_SCALE_DOWN, POOL_EXHAUSTED, PENDING)
if _CODES != (0, 1, 2, 3, 4, 5):  # pragma: no cover
    raise ImportError(f"estimator.simulate_kernel expects scaling codes 0..5, not {_CODES}")


def _writable(path: Path) -> bool:
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def _cache_dir() -> str | None:
    """Where numba caches the kernel: "" for numba's own choice (NUMBA_CACHE_DIR, else
    `__pycache__` next to this file) when that is writable, else a writable user cache
    directory, else None (no cache: the kernel compiles once per process, silently)."""
    user_set = os.environ.get("NUMBA_CACHE_DIR")
    if _writable(Path(user_set) if user_set else Path(__file__).resolve().parent / "__pycache__"):
        return ""
    user = os.getuid() if hasattr(os, "getuid") else "user"
    bases: list[Path] = []
    with contextlib.suppress(RuntimeError):  # no home directory
        bases.append(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"))
    with contextlib.suppress(OSError):  # no usable temporary directory
        bases.append(Path(tempfile.gettempdir()) / f"numba-{user}")
    for base in bases:
        if _writable(base / "flink-cfu-estimator" / "numba"):
            return str(base / "flink-cfu-estimator" / "numba")
    return None


_CACHE_DIR = _cache_dir()
if _CACHE_DIR:  # read when the kernel is decorated, below
    numba.config.CACHE_DIR = _CACHE_DIR  # type: ignore[attr-defined]  # set at run time


@numba.njit(cache=_CACHE_DIR is not None, nogil=True)
def run(
    rps: np.ndarray,
    per_cfu: np.ndarray,
    start: np.ndarray,
    cap: np.ndarray,
    partitions: np.ndarray,
    pool_of: np.ndarray,
    pool_max: np.ndarray,
    given_row: np.ndarray,
    given: np.ndarray,
    interval: int,
    window: int,
    target_utilization: float,
    catch_up_minutes: float,
    restart: int,
    stabilization: int,
    scale_down_delay: int,
    scale_down_max_lag_seconds: float,
    max_scale_down_factor: float,
    align: bool,
    initial_cfu: int,
    fixed: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Simulate every statement minute by minute (see estimator/simulate.py).

    rps (n, m) float64: input records/s, 0 before a statement's start. per_cfu, start, cap,
    partitions (0: unknown), pool_of: (n,) per statement. pool_max (pools,) int64. A statement
    is autoscaled when given_row[i] < 0; otherwise its CFUs are given[given_row[i]] (a
    schedule, a DDL minute, or zeros) and count against its pool. The policy scalars are those
    of estimator.simulate.Policy. Returns cfu (int64), state (int8), backlog (records at the end
    of the minute), capacity (records/s) and lag (seconds), all (n, m) and column-major: the
    loop visits every statement of a minute in turn, so a minute's cells sit side by side (rps
    is best column-major too: see column_major).

    This is the whole horizon as one piece of `run_chunk`; estimator.simulate runs long
    horizons in pieces with the same carried state (`new_state`), so results are identical.
    """
    n, m = rps.shape
    peak = np.zeros(n, dtype=np.float64)
    for t in range(m):
        for i in range(n):
            peak[i] = max(peak[i], rps[i, t])
    carried = new_state(
        n,
        pool_max.shape[0],
        start,
        cap,
        partitions,
        per_cfu,
        peak,
        interval,
        window,
        scale_down_delay,
        target_utilization,
        align,
        initial_cfu,
        fixed,
    )
    decide = decision_minutes(0, m, m, interval, start, given_row)
    cfu = np.empty((m, n), dtype=np.int64).T
    state = np.empty((m, n), dtype=np.int8).T
    backlog = np.empty((m, n), dtype=np.float64).T
    capacity = np.empty((m, n), dtype=np.float64).T
    lag = np.empty((m, n), dtype=np.float64).T
    run_chunk(
        0,
        m,
        rps,
        given,
        decide,
        per_cfu,
        start,
        cap,
        pool_of,
        pool_max,
        given_row,
        interval,
        window,
        target_utilization,
        catch_up_minutes,
        restart,
        stabilization,
        scale_down_delay,
        scale_down_max_lag_seconds,
        max_scale_down_factor,
        align,
        fixed,
        carried,
        cfu,
        state,
        backlog,
        capacity,
        lag,
    )
    return cfu, state, backlog, capacity, lag


@numba.njit(cache=_CACHE_DIR is not None, nogil=True)
def decision_minutes(
    lo: int, hi: int, m: int, interval: int, start: np.ndarray, given_row: np.ndarray
) -> np.ndarray:
    """decide[k] for minutes lo + k < hi: every `interval` minutes and at each autoscaled
    statement's start."""
    decide = np.zeros(hi - lo, dtype=np.bool_)
    first = lo + (-lo) % interval
    for t in range(first, hi, interval):
        decide[t - lo] = True
    for i in range(start.shape[0]):
        if given_row[i] < 0 and lo <= start[i] < hi and start[i] < m:
            decide[start[i] - lo] = True
    return decide


@numba.njit(cache=_CACHE_DIR is not None, nogil=True)
def new_state(
    n: int,
    npools: int,
    start: np.ndarray,
    cap: np.ndarray,
    partitions: np.ndarray,
    per_cfu: np.ndarray,
    peak: np.ndarray,
    interval: int,
    window: int,
    scale_down_delay: int,
    target_utilization: float,
    align: bool,
    initial_cfu: int,
    fixed: bool,
) -> tuple[Any, ...]:
    """The simulation's state before minute 0, carried from piece to piece of the horizon.

    peak: each statement's highest input rate over the horizon (the fixed preset sizes by it).
    """
    # align_up[i, r]: the smallest divisor of the partition count >= r, if within the cap.
    width = 1
    for i in range(n):
        width = max(width, cap[i])
    align_up = np.empty((n, width + 1), dtype=np.int64)
    for i in range(n):
        p = partitions[i]
        for r in range(width + 1):
            align_up[i, r] = r
            if align and p > 0 and r >= 1:
                d = r
                while d <= p and p % d != 0:
                    d += 1
                if d <= p and d <= cap[i]:
                    align_up[i, r] = d
    # Scale down once this many decisions in a row recommended fewer CFUs (0: never).
    delay = 0 if fixed else max(1, -(-scale_down_delay // interval))
    initial = np.empty(n, dtype=np.int64)
    for i in range(n):
        if fixed:  # the CFUs of the peak input at the target utilization
            need = np.ceil(peak[i] / (per_cfu[i] * target_utilization) - 1e-9)
            initial[i] = int(min(max(need, 1.0), float(cap[i])))
        else:
            initial[i] = min(initial_cfu, cap[i])
    ints = np.zeros((9, n), dtype=np.int64)  # cur, rec, hold_until, pause_until, q_head,
    # q_size, since, ready (0/1), code
    ints[2, :] = start + window
    floats = np.zeros((2, n), dtype=np.float64)  # b (backlog), total input
    span = window + 1
    prefix = np.zeros((n, span), dtype=np.float64)
    qlen = max(delay, 1)
    q_dec = np.zeros((n, qlen), dtype=np.int64)
    q_cfu = np.zeros((n, qlen), dtype=np.int64)
    free = np.zeros(npools, dtype=np.int64)
    j = np.full(1, -1, dtype=np.int64)  # decision count
    return (align_up, initial, ints, floats, prefix, q_dec, q_cfu, free, j)


@numba.njit(cache=_CACHE_DIR is not None, nogil=True, inline="always")
def _ring(index: int, size: int) -> int:
    """index % size for 0 <= index < 2 x size, without a division."""
    return index - size if index >= size else index


@numba.njit(cache=_CACHE_DIR is not None, nogil=True)
def run_chunk(
    lo: int,
    m: int,
    rps: np.ndarray,
    given: np.ndarray,
    decide: np.ndarray,
    per_cfu: np.ndarray,
    start: np.ndarray,
    cap: np.ndarray,
    pool_of: np.ndarray,
    pool_max: np.ndarray,
    given_row: np.ndarray,
    interval: int,
    window: int,
    target_utilization: float,
    catch_up_minutes: float,
    restart: int,
    stabilization: int,
    scale_down_delay: int,
    scale_down_max_lag_seconds: float,
    max_scale_down_factor: float,
    align: bool,
    fixed: bool,
    carried: tuple[Any, ...],
    cfu: np.ndarray,
    state: np.ndarray,
    backlog: np.ndarray,
    capacity: np.ndarray,
    lag: np.ndarray,
) -> None:
    """Minutes lo .. lo + w - 1 of the horizon (w = rps.shape[1]), from and into `carried`.

    rps and the outputs are (n, w); given and decide cover the same minutes and up to
    `interval` minutes after them (a decision looks ahead to the next one), so their width is
    min(w + interval, m - lo). The outputs are written, column k for minute lo + k.
    """
    align_up, initial, ints, floats, prefix, q_dec, q_cfu, free, jbox = carried
    n, w = rps.shape
    wl = decide.shape[0]
    npools = pool_max.shape[0]
    dynamic = given_row < 0
    cur = ints[0]
    rec = ints[1]
    hold_until = ints[2]
    pause_until = ints[3]
    q_head = ints[4]
    q_size = ints[5]
    since = ints[6]
    ready = ints[7]
    code = ints[8]
    b = floats[0]
    total = floats[1]
    qlen = q_dec.shape[1]
    span = window + 1

    # CFUs the given rows use, per pool and minute of this piece (and its look-ahead).
    fixed_use = np.zeros((npools, wl), dtype=np.int64)
    for i in range(n):
        if not dynamic[i]:
            for k in range(wl):
                fixed_use[pool_of[i], k] += given[given_row[i], k]

    catch_s = catch_up_minutes * 60.0
    restart_s = restart * 60.0
    headroom = 1.0 / target_utilization + restart_s / catch_s
    lag_room = scale_down_max_lag_seconds / 60.0
    down_keep = 1.0 - max_scale_down_factor
    delay = 0 if fixed else max(1, -(-scale_down_delay // interval))
    # per statement, once: what each decision multiplies the backlog and the rate by
    backlog_coef = np.empty(n, dtype=np.float64)
    rate_coef = np.empty(n, dtype=np.float64)
    for i in range(n):
        backlog_coef[i] = 60.0 / (catch_s * per_cfu[i])
        rate_coef[i] = headroom / per_cfu[i]

    j = jbox[0]
    now = lo % span  # prefix slot of minute t; `after` of minute t + 1
    for k in range(w):
        t = lo + k
        after = now + 1
        if after == span:
            after = 0
        if decide[k]:
            j += 1
            # --- recommendation (FLIP-271 form) and scale-down, statement by statement
            for i in range(n):
                if not dynamic[i]:
                    continue
                first = max(t - window, start[i])
                rate = 0.0
                if t > first:
                    # minute t - window has minute t + 1's slot (`after`): no division
                    back = after if first == t - window else first % span
                    rate = (prefix[i, now] - prefix[i, back]) / (t - first)
                if fixed:
                    r = initial[i]
                else:
                    need = b[i] * backlog_coef[i] + rate * rate_coef[i]
                    r = int(max(min(np.ceil(need), float(cap[i])), 1.0))
                    if align:
                        r = align_up[i, r]
                rec[i] = r
                ready[i] = 1 if hold_until[i] <= t else 0
                if delay == 0:
                    continue
                # the last `delay` recommendations: push this one, drop those out of the window
                since[i] += 1
                # a ring of qlen slots from q_head (indices wrap by one subtraction)
                while q_size[i] > 0 and q_dec[i, q_head[i]] <= j - delay:
                    q_head[i] = q_head[i] + 1 if q_head[i] + 1 < qlen else 0
                    q_size[i] -= 1
                while q_size[i] > 0 and q_cfu[i, _ring(q_head[i] + q_size[i] - 1, qlen)] <= r:
                    q_size[i] -= 1
                tail = _ring(q_head[i] + q_size[i], qlen)
                q_dec[i, tail] = j
                q_cfu[i, tail] = r
                q_size[i] += 1
                highest = q_cfu[i, q_head[i]]
                # every recommendation of the delay lower, and caught up: scale down
                if (
                    since[i] >= delay
                    and highest < cur[i]
                    and ready[i] == 1
                    and b[i] <= rate * lag_room
                ):
                    new = max(highest, int(np.ceil(cur[i] * down_keep)))
                    if align:
                        new = align_up[i, new]
                    if new >= cur[i]:
                        # the step limit or the alignment leaves no fewer CFUs: no rescale
                        # (never a restart for nothing, never more CFUs than the pool granted)
                        continue
                    cur[i] = new
                    hold_until[i] = t + restart + stabilization
                    since[i] = 0
                    q_size[i] = 0
                    if restart:
                        pause_until[i] = t + restart

            # --- scale up and first CFUs: each pool grants what it has, in statement order
            end = k + 1
            while lo + end < m and end < wl and not decide[end]:
                end += 1
            for p in range(npools):
                most = 0
                for kk in range(k, min(end, wl)):
                    most = max(most, fixed_use[p, kk])
                free[p] = pool_max[p] - most
            for i in range(n):
                if dynamic[i]:
                    free[pool_of[i]] -= cur[i]
            for i in range(n):
                if not dynamic[i]:
                    continue
                c = cur[i]
                ask = 0
                if c == 0:
                    if start[i] <= t:
                        ask = initial[i]
                elif rec[i] > c and ready[i] == 1:
                    ask = rec[i] - c
                grant = 0
                if ask > 0:
                    grant = min(max(free[pool_of[i]], 0), ask)
                    free[pool_of[i]] -= grant
                if grant > 0:
                    if c == 0:  # started: metrics before any decision
                        hold_until[i] = t + window
                    else:
                        hold_until[i] = t + restart + stabilization
                        since[i] = 0
                        q_size[i] = 0
                        if restart:
                            pause_until[i] = t + restart
                    c += grant
                    cur[i] = c
                if c == 0:
                    code[i] = STOPPED if start[i] > t else PENDING
                elif grant < ask:
                    code[i] = POOL_EXHAUSTED
                elif rec[i] < c:
                    code[i] = PENDING_SCALE_DOWN
                elif rec[i] > c:
                    code[i] = PENDING_SCALE_UP
                else:
                    code[i] = OK

        # --- the minute: input arrives, the CFUs process what they can, the rest waits
        for i in range(n):
            arriving = rps[i, k]
            paused = False
            if dynamic[i]:
                c = cur[i]
                paused = t < pause_until[i]
                cfu[i, k] = c
                state[i, k] = code[i]
            else:
                c = given[given_row[i], k]
                cfu[i, k] = c
                state[i, k] = OK if c > 0 else STOPPED
            can = 0.0 if paused else c * per_cfu[i]
            left = max(b[i] + arriving - can, 0.0)
            b[i] = left
            # a hundredth of a record is float dust from subtracting large numbers
            behind = left * 60.0
            if behind < 1e-2:
                behind = 0.0
            backlog[i, k] = behind
            capacity[i, k] = can
            drain = arriving if arriving > 0 else can
            lag[i, k] = behind / drain if drain > 0 else 0.0
            total[i] += arriving
            prefix[i, after] = total[i]
        now = after
    jbox[0] = j


def column_major(shape: tuple[int, int], dtype: Any, fill: float | None = None) -> np.ndarray:
    """An (n, m) array laid out minute by minute (Fortran order), as the kernel writes best."""
    out = np.empty(shape[::-1], dtype=dtype).T
    if fill is not None:
        out[...] = fill
    return out


def interpreted(name: str) -> Any:
    """The plain Python of kernel function `name`, calling the plain Python of the kernel
    functions it calls in turn (a compiled function's `py_func` alone would still call the
    compiled ones): the very same code, interpreted, as a reference for tests and benchmark."""
    env = dict(globals())
    for fn in (run, decision_minutes, new_state, run_chunk, _ring):
        code = fn.py_func
        env[code.__name__] = types.FunctionType(code.__code__, env, code.__name__)
    return env[name]
