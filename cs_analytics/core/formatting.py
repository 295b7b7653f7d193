"""How numbers are written on screen: one place, so every page says it the same way."""
from __future__ import annotations


def compact_money(amount: float, signed: bool = False) -> str:
    """1234567 -> '1.23M', 45600 -> '45.6k', 950 -> '950' (no currency symbol, as everywhere)."""
    sign = "+" if signed and amount >= 0 else ("-" if amount < 0 else "")
    value = abs(amount)
    if value >= 1e6:
        return f"{sign}{value / 1e6:.2f}M"
    if value >= 1e4:
        return f"{sign}{value / 1e3:.1f}k"
    return f"{sign}{value:,.0f}"


def count_of(n: int, singular: str, plural: str | None = None) -> str:
    """'1 account', '3 accounts', '1,200 account-snapshots': a count with its noun in the right number."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"
