"""Helpers for the app's tests: an AppTest of app.py, and the bytes behind download buttons."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from estimator.ui.feedback import CRASHES

APP = Path(__file__).resolve().parents[2] / "app.py"
TIMEOUT = 90


class RecordingStorage(MemoryMediaFileStorage):
    """Media storage that remembers every file it was given (AppTest drops them after a run)."""

    files: ClassVar[dict[str, bytes]] = {}

    def load_and_get_id(
        self, path_or_data: str | bytes, mimetype: str, kind: Any, filename: str | None = None
    ) -> str:
        file_id = super().load_and_get_id(path_or_data, mimetype, kind, filename)
        data = path_or_data if isinstance(path_or_data, bytes) else Path(path_or_data).read_bytes()
        RecordingStorage.files[file_id] = data
        return file_id


class RecordingManager(MediaFileManager):
    """Media manager that keeps the callables of deferred downloads (built on click)."""

    deferred: ClassVar[dict[str, Callable[[], Any]]] = {}

    def add_deferred(
        self,
        data_callable: Callable[[], Any],
        mimetype: str | None,
        coordinates: str,
        file_name: str | None = None,
        *,
        element_id: str = "",
    ) -> str:
        file_id = super().add_deferred(
            data_callable, mimetype, coordinates, file_name, element_id=element_id
        )
        RecordingManager.deferred[file_id] = data_callable
        return file_id


def download_bytes(files: dict[str, bytes], button: Any) -> bytes:
    """What a click on the download button delivers."""
    if button.proto.deferred_file_id:
        data = RecordingManager.deferred[button.proto.deferred_file_id]()
        return data.encode() if isinstance(data, str) else bytes(data)
    url: str = button.proto.url
    file_id = url.rsplit("/", 1)[-1].split(".", 1)[0]
    return files[file_id]


def new_app(query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if query:
        at.query_params.update(query)
    return at.run()


def assert_clean(at: AppTest) -> None:
    """No exception reached the page, and none was caught by the page's crash guard."""
    assert not at.exception, [e.value for e in at.exception]
    crashes = at.session_state[CRASHES] if CRASHES in at.session_state else []  # noqa: SIM401
    assert not crashes, "a page crashed (caught by its guard):\n" + "\n".join(crashes)


def metric(at: AppTest, prefix: str) -> str:
    for m in at.metric:
        if m.label.startswith(prefix):
            return m.value
    raise AssertionError(f"no metric {prefix!r}: {[m.label for m in at.metric]}")


def money_value(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def editor(at: AppTest, prefix: str) -> Any:
    for d in at.data_editor:
        if d.key and d.key.startswith(prefix):
            return d
    raise AssertionError(f"no data editor {prefix!r}")


def edit_table(at: AppTest, prefix: str, edited_rows: dict[int, dict[str, Any]]) -> AppTest:
    key = editor(at, prefix).key
    at.session_state[key] = {"edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def errors_text(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)
