"""How numbers are written on screen: one place, so every page says it the same way."""
from __future__ import annotations

import datetime as dt

import pandas as pd


def compact_money(amount: float, signed: bool = False) -> str:
    """1234567 -> '1.23M', 45600 -> '45.6k', 950 -> '950' (no currency symbol, as everywhere)."""
    sign = "+" if signed and amount >= 0 else ("-" if amount < 0 else "")
    value = abs(amount)
    if value >= 1e6:
        return f"{sign}{value / 1e6:.2f}M"
    if value >= 1e4:
        return f"{sign}{value / 1e3:.1f}k"
    return f"{sign}{value:,.0f}"


def count_noun(count: int, singular: str, plural: str | None = None) -> str:
    """'1 account', '3 accounts', '1,200 accounts': the count and the noun agreeing with it."""
    noun = singular if count == 1 else (plural or f"{singular}s")
    return f"{count:,} {noun}"


def as_text_cell(value, fmt: str) -> str:
    """A date or time as text in `fmt`; a missing value as ''."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.strftime(fmt)
    return str(value)


def blank_missing(frame: pd.DataFrame, times: tuple[str, ...] = ()) -> pd.DataFrame:
    """Text, date and time columns as text with '' for a missing value (dates YYYY-MM-DD, the
    columns in `times` YYYY-MM-DD HH:MM, or the date alone at midnight); numbers and booleans
    unchanged."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if column in times:
            out[column] = [as_text_cell(v, "%Y-%m-%d %H:%M").removesuffix(" 00:00") for v in series]
        elif series.dtype == object or pd.api.types.is_datetime64_any_dtype(series):
            out[column] = [as_text_cell(v, "%Y-%m-%d") for v in series]
    return out
