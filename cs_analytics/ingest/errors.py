"""The one exception of the data-in path: an upload refused whole, with one sentence saying why."""
from __future__ import annotations


class IngestRefused(ValueError):
    """A file (or frame) that cannot be loaded at all; the message is one sentence for the user.

    Raised before anything is written, or inside the load transaction (which then rolls back), so
    the workspace keeps its previous data.
    """
