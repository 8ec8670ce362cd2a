"""Rendering: diagram text (Mermaid, DOT) to SVG, PNG and PDF. Knows nothing of the model."""
