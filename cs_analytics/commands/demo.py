"""CLI commands of the demo group (see shared/spec/cli.md)."""
from __future__ import annotations


def register(subparsers, common) -> None:
    """Add this group's commands to the parser."""
