"""Learnflow: a self-hosted platform for everyday learning at work."""

__version__ = "0.1.0"
