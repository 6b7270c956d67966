"""Omni Clerk domain core: pure Python, no Qt, no HTTP."""

__version__ = "0.1.0"
