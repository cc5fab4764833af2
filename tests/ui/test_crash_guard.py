"""The page guard hides a crash from the user, never from the tests."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest
from uihelpers import assert_clean


def _crashing_page() -> None:
    import streamlit as st

    from estimator.ui.feedback import guarded

    @guarded
    def page() -> None:
        st.write("drawn before the crash")
        raise ZeroDivisionError("boom inside the page")

    page()


def _calm_page() -> None:
    import streamlit as st

    from estimator.ui.feedback import guarded

    guarded(lambda: st.write("fine"))()


def test_a_crash_inside_a_guarded_page_fails_assert_clean() -> None:
    at = AppTest.from_function(_crashing_page).run()
    assert not at.exception  # the user sees no traceback...
    assert "Something went wrong" in at.error[0].value  # ...only the short message
    with pytest.raises(AssertionError, match="ZeroDivisionError: boom inside the page"):
        assert_clean(at)


def test_a_page_that_does_not_crash_passes_assert_clean() -> None:
    at = AppTest.from_function(_calm_page).run()
    assert_clean(at)
