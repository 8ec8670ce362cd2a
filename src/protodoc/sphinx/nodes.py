"""Data-only docutils nodes. Visitors (one per builder) live in :mod:`.visitors`."""

from __future__ import annotations

from docutils import nodes


class protodoc_diagram(nodes.General, nodes.Element):
    """One diagram. Attributes (all plain data, picklable):

    ``engine``  "mermaid" or "graphviz"
    ``code``    the diagram text (Mermaid or DOT) in the page's language
    ``key``     content hash of engine, theme and code: names the rendered files
    ``prefix``  id prefix for inline SVG, unique within a build
    ``alt``     text alternative
    ``align``   "left", "center" or "right"

    Children, if any, are the readable fallback for text-only builders
    (a message table or a transition table).
    """
