"""The app's pages by name, so that one page can link to another without importing it (the
page modules import the widgets that link, so importing a page from there would be a cycle).
app.py builds the pages and registers them here."""

from __future__ import annotations

from streamlit.navigation.page import StreamlitPage

_PAGES: dict[str, StreamlitPage] = {}


def register(name: str, page: StreamlitPage) -> StreamlitPage:
    _PAGES[name] = page
    return page


def get(name: str) -> StreamlitPage:
    """A page app.py registered under `name` ("estimate", "compare")."""
    return _PAGES[name]
