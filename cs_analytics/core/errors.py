"""The errors a user can act on, raised by the workspace layer (one clear sentence each)."""
from __future__ import annotations


class WorkspaceError(Exception):
    """A problem with the workspace a user can act on; the message is one clear sentence."""


class WorkspaceLockedError(WorkspaceError):
    """Another process held the workspace file's lock for longer than the wait allowed."""
