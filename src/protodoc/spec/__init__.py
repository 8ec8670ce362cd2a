"""Spec loading: YAML with positions -> :class:`protodoc.model.Protocol`."""

from .loader import load_spec

__all__ = ["load_spec"]
