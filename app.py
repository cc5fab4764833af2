"""Streamlit entry point (`streamlit run app.py`): page set-up and navigation only.

The pages live in estimator.ui (workbench: the estimate; compare: scenarios side by side).
"""

import streamlit as st

from estimator.ui import compare, library_ui, pages, workbench

st.set_page_config(
    page_title="Flink CFU Estimator",
    page_icon=":material/calculate:",
    layout="wide",
    initial_sidebar_state="expanded",
)
estimate_page = pages.register(
    "estimate",
    st.Page(
        workbench.page,
        title="Estimate",
        icon=":material/calculate:",
        url_path="estimate",
        default=True,
    ),
)
compare_page = pages.register(
    "compare",
    st.Page(compare.page, title="Compare", icon=":material/compare_arrows:", url_path="compare"),
)
library_page = pages.register(
    "library",
    st.Page(library_ui.page, title="Library", icon=":material/folder_open:", url_path="library"),
)
st.navigation([estimate_page, compare_page, library_page]).run()
