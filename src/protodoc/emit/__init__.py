"""Emitters: pure functions from the model to diagram text (Mermaid, DOT)."""
