"""Analysis: projection of a sequence onto state machines, consistency checks."""

from .checks import check
from .projection import project

__all__ = ["check", "project"]
