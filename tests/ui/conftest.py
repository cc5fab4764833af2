"""Fixtures of the app's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from uihelpers import RecordingManager, RecordingStorage


@pytest.fixture
def recorded_files(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, bytes]]:
    """Bytes of every file offered for download, by media file id."""
    RecordingStorage.files = {}
    RecordingManager.deferred = {}
    monkeypatch.setattr("streamlit.testing.v1.app_test.MemoryMediaFileStorage", RecordingStorage)
    monkeypatch.setattr("streamlit.testing.v1.app_test.MediaFileManager", RecordingManager)
    yield RecordingStorage.files
