"""privacy-kg: a knowledge graph of the data practices declared in privacy policies."""

__version__ = "0.1.0"
