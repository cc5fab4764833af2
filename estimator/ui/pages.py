"""The app's pages, for st.navigation (app.py) and for links between pages."""

from __future__ import annotations

import streamlit as st
from streamlit.navigation.page import StreamlitPage


def estimate_page() -> StreamlitPage:
    from estimator.ui import workbench

    return st.Page(
        workbench.page,
        title="Estimate",
        icon=":material/calculate:",
        url_path="estimate",
        default=True,
    )


def compare_page() -> StreamlitPage:
    from estimator.ui import compare

    return st.Page(
        compare.page, title="Compare", icon=":material/compare_arrows:", url_path="compare"
    )


def library_page() -> StreamlitPage:
    from estimator.ui import library_ui

    return st.Page(
        library_ui.page, title="Library", icon=":material/folder_open:", url_path="library"
    )
