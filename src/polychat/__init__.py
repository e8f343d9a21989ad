"""Polychat: one self-hosted chat app for every model provider."""

__version__ = "0.1.0"
