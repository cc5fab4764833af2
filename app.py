"""Streamlit entry point: `streamlit run app.py`. Routing only; the UI lives in estimator.ui."""

from estimator.ui.main import main

main()
