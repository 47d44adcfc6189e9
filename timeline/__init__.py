"""timeline: news articles in, a sourced chronological timeline site out."""

__version__ = "0.1.0"
