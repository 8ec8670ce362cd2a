"""Sphinx configuration of protodoc's own documentation, in English and Chinese.

    sphinx-build -W -b html -D language=en    docs docs/_build/html/en
    sphinx-build -W -b html -D language=zh_CN docs docs/_build/html/zh_CN

(``bash .ci/docs`` does both.) Prose is translated through the gettext catalogs in
``locale/zh_CN/LC_MESSAGES``; diagrams and protocol tables come from the specs in
the page's language.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))

import protodoc

project = "protodoc"
author = "the protodoc authors"
copyright = "the protodoc authors, MIT License"
version = release = protodoc.__version__

extensions = [
    "myst_parser",
    "protodoc.sphinx",
    "protodoc_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "locale", "README.md"]
templates_path = ["_templates"]
html_static_path = ["_static"]

# -- languages -------------------------------------------------------------------
language = "en"
locale_dirs = ["locale"]
gettext_compact = False
gettext_uuid = False
gettext_location = False
gettext_auto_build = True

# -- protodoc ----------------------------------------------------------------------
protodoc_spec_dir = "../specs"
protodoc_reference_dir = "../specs"
protodoc_reference_output = "reference"
protodoc_engine = "mermaid"

# -- HTML ----------------------------------------------------------------------------
html_theme = "alabaster"
html_title = "protodoc"
html_theme_options = {
    "description": "Protocol specs to sequence and state diagrams",
    "fixed_sidebar": True,
    "page_width": "1100px",
    "sidebar_width": "230px",
}
html_css_files = ["site.css"]
html_last_updated_fmt = None
html_show_sourcelink = False

myst_heading_anchors = 3
numfig = True

# -- LaTeX -------------------------------------------------------------------------
latex_engine = "xelatex"
latex_use_xindy = False  # makeindex ships with TeX; xindy would be one more package
latex_documents = [("index", "protodoc.tex", "protodoc", author, "manual")]
