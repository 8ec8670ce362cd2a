"""Shared pytest fixtures.

``mermaid_browser``: one headless Chromium with the real Mermaid loaded, shared by the
whole test session (starting it takes about 2 s). Use ``mermaid_browser.parse(text)`` to
check what Mermaid understood of an emitted diagram; see
:meth:`protodoc.render.browser.MermaidBrowser.parse`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from protodoc.render.browser import MermaidBrowser


@pytest.fixture(scope="session")
def mermaid_browser() -> Iterator[MermaidBrowser]:
    with MermaidBrowser() as browser:
        yield browser
