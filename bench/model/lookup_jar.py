"""The jar of the benchmark's lookup-capable table (connector 'bench-lookup').

bench/model/lookup/ holds one Java source (a DynamicTableSourceFactory and a synchronous
LookupFunction over an in-memory table: see its header) and the META-INF/services file that
names the factory. `ensure_jar` compiles them with javac against the jars of the Flink venv's
pyflink/lib into build/bench-lookup/ (git ignores build/), named by a hash of the sources and
of the Flink jars' names: an unchanged source reuses the jar; a changed one builds a new jar
and removes the old. The runner passes the jar to Flink through `pipeline.jars` (spec "jars").
javac comes with openjdk-17-jdk-headless (`make flink` installs it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SOURCE_DIR = HERE / "lookup"
BUILD_DIR = ROOT / "build" / "bench-lookup"
PREFIX = "bench-lookup-"
JAVA_RELEASE = "17"


class JarBuildError(RuntimeError):
    """javac is missing or the source does not compile."""


def javac() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "javac").is_file():
        return str(Path(home) / "bin" / "javac")
    return shutil.which("javac")


def flink_classpath() -> list[Path]:
    """The jars of pyflink/lib in the Flink venv (empty when there is none)."""
    from estimator.calibrate import engine

    python = engine.flink_python()
    if python is None:
        return []
    return sorted(python.parent.parent.glob("lib/python3*/site-packages/pyflink/lib/*.jar"))


def _sources(source_dir: Path) -> list[Path]:
    return sorted(p for p in source_dir.rglob("*") if p.is_file())


def _digest(sources: list[Path], source_dir: Path, classpath: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sources:
        h.update(p.relative_to(source_dir).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    for jar in classpath:
        h.update(jar.name.encode() + b"\0")
    h.update(JAVA_RELEASE.encode())
    return h.hexdigest()[:16]


def ensure_jar(
    source_dir: Path = SOURCE_DIR,
    out_dir: Path = BUILD_DIR,
    classpath: list[Path] | None = None,
) -> Path:
    """The jar built from `source_dir` (its .java files compiled, every other file copied as
    is), compiled now only when no jar of the same sources exists in `out_dir`."""
    classpath = flink_classpath() if classpath is None else classpath
    sources = _sources(source_dir)
    java = [p for p in sources if p.suffix == ".java"]
    if not java:
        raise JarBuildError(f"no Java source in {source_dir}")
    jar = out_dir / f"{PREFIX}{_digest(sources, source_dir, classpath)}.jar"
    if jar.is_file():
        return jar
    compiler = javac()
    if compiler is None:
        raise JarBuildError(
            "javac not found: the lookup-join case compiles a small connector; run `make flink` "
            "(it installs openjdk-17-jdk-headless) or install a JDK 17"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".build-", dir=out_dir) as tmp:
        classes = Path(tmp) / "classes"
        cmd = [compiler, "--release", JAVA_RELEASE, "-nowarn", "-d", str(classes)]
        if classpath:
            cmd += ["-cp", os.pathsep.join(str(p) for p in classpath)]
        done = subprocess.run([*cmd, *map(str, java)], capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise JarBuildError(f"javac failed: {(done.stderr or done.stdout).strip()[-2000:]}")
        built = Path(tmp) / jar.name
        with zipfile.ZipFile(built, "w", zipfile.ZIP_DEFLATED) as z:
            for p in sorted(classes.rglob("*.class")):
                z.write(p, p.relative_to(classes).as_posix())
            for p in sources:
                if p.suffix != ".java":
                    z.write(p, p.relative_to(source_dir).as_posix())
        os.replace(built, jar)
    for old in out_dir.glob(f"{PREFIX}*.jar"):
        if old != jar:
            old.unlink(missing_ok=True)
    return jar
