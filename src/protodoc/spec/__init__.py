"""Spec loading: YAML with positions -> :class:`protodoc.model.Protocol`."""

from .loader import ImportCache, LoadResult, load_spec

__all__ = ["ImportCache", "LoadResult", "load_spec"]
