"""Streamlit entry point (`streamlit run app.py`): page set-up and navigation only.

The pages live in estimator.ui (workbench: the estimate; compare: scenarios side by side).
"""

import streamlit as st

from estimator.ui.pages import compare_page, estimate_page, library_page

st.set_page_config(
    page_title="Flink CFU Estimator",
    page_icon=":material/calculate:",
    layout="wide",
    initial_sidebar_state="expanded",
)
st.navigation([estimate_page(), compare_page(), library_page()]).run()
