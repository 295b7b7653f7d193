"""Who a CSM is among the account owners: names matched trimmed and case-insensitively, with the
closest owners suggested when a name matches none ("priya raman" is "Priya Raman"; "pria" has
the suggestion "Priya Raman"). Used by the identity picker, My book and the per-CSM record."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from cs_analytics.core.text import one_line

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace

MAX_SUGGESTIONS = 3


def owner_key(name: object) -> str:
    """A name as compared: trimmed, inner spaces collapsed, case-folded ('' for no name)."""
    if not isinstance(name, str):
        return ""
    return re.sub(r"\s+", " ", name).strip().casefold()


def owner_names(ws: "Workspace") -> list[str]:
    """The distinct csm_owner values of the accounts, sorted, blanks left out."""
    return ws.query_named("owners/owner_names")["csm_owner"].tolist()


@dataclass(frozen=True)
class OwnerMatch:
    """A typed name against the owners: `owners` the spellings equal to it (trimmed,
    case-insensitive; usually one), `suggestions` the closest other owners when none is."""

    typed: str
    owners: tuple[str, ...]
    suggestions: tuple[str, ...]

    @property
    def owner(self) -> str | None:
        """The owner's own spelling (the first when several differ only in case), else None."""
        return self.owners[0] if self.owners else None


def match_owner(name: str | None, owners: Iterable[str]) -> OwnerMatch:
    """Match `name` to `owners`; when nothing matches, suggest up to MAX_SUGGESTIONS owners: those
    whose name contains the typed text or a word of it, then the closest by spelling."""
    typed = (name or "").strip()
    key = owner_key(typed)
    owners = list(dict.fromkeys(o for o in owners if owner_key(o)))
    exact = tuple(o for o in owners if owner_key(o) == key) if key else ()
    if exact or not key:
        return OwnerMatch(typed, exact, ())
    by_key = {owner_key(o): o for o in owners}
    words = [w for w in key.split(" ") if len(w) >= 3]
    containing = [o for k, o in by_key.items() if key in k or any(w in k.split(" ") for w in words)]
    close = [by_key[k] for k in difflib.get_close_matches(key, list(by_key), n=MAX_SUGGESTIONS, cutoff=0.6)]
    candidates = list(dict.fromkeys(containing + close))
    closeness = {o: difflib.SequenceMatcher(None, key, owner_key(o)).ratio() for o in candidates}
    suggestions = tuple(sorted(candidates, key=lambda o: -closeness[o]))[:MAX_SUGGESTIONS]
    return OwnerMatch(typed, (), suggestions)


def suggestion_sentence(match: OwnerMatch) -> str:
    """"No account is owned by 'pria'; did you mean Priya Raman?" (plain text, one line)."""
    if match.owner:
        return ""
    names = [one_line(name) for name in match.suggestions]
    hint = (f"; did you mean {' or '.join(names)}?" if names
            else "; check the spelling against the CSM owners in the accounts table.")
    return f"No account is owned by “{one_line(match.typed)}”{hint}"
