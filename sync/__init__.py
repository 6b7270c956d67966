"""Sync: the wire protocol, the terminal-side client and engine, and the reference hub."""
