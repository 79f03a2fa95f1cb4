"""The command line: a thin layer that parses, calls one Project method, and renders."""

from qualcode.cli.app import app, main

__all__ = ["app", "main"]
