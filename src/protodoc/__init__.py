"""protodoc: declarative protocol specs to sequence and state diagrams."""

__version__ = "0.1.0"
