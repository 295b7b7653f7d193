"""The activation rule (metrics.md, Onboarding and activation): one metric (or any), a kind, a
threshold and a window W in days. An account is activated on the first day d < W since its start
on which its cumulative value of the kind, counted from the start, reaches the threshold.

The rule is kept in the workspace as the setting `activation_rule` (JSON, core/settings.py), read
and written through this module so the page, the CLI and the finder agree on one format:
{"metric": "any", "kind": "active_days", "threshold": 2, "window_days": 90}.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

ANY_METRIC = "any"
ANY_KEY = "(any)"  # the metric key that pools every metric in sql/onboarding/
KINDS = ("active_days", "sum", "users")
KIND_LABELS = {"active_days": "distinct active days", "sum": "sum of value", "users": "distinct users"}
MAX_WINDOW_DAYS = 365
FIELDS = ("metric", "kind", "threshold", "window_days")
EXAMPLE = '{"metric": "any", "kind": "active_days", "threshold": 2, "window_days": 90}'


@dataclass(frozen=True)
class ActivationRule:
    """metric: a usage metric name or "any"; kind: one of KINDS; threshold > 0; window_days W."""

    metric: str = ANY_METRIC
    kind: str = "active_days"
    threshold: float = 2.0
    window_days: int = 90

    @property
    def metric_key(self) -> str:
        """The metric key the SQL series uses ('(any)' pools every metric)."""
        return ANY_KEY if self.metric == ANY_METRIC else self.metric

    def to_json(self) -> str:
        threshold = int(self.threshold) if float(self.threshold).is_integer() else self.threshold
        return json.dumps({"metric": self.metric, "kind": self.kind, "threshold": threshold,
                           "window_days": self.window_days})

    def describe(self) -> str:
        """'distinct active days (any metric) >= 2 within 90 days'."""
        threshold = f"{self.threshold:g}"
        metric = "any metric" if self.metric == ANY_METRIC else f"metric {self.metric}"
        return f"{KIND_LABELS[self.kind]} ({metric}) >= {threshold} within {self.window_days} days"


DEFAULT_RULE = ActivationRule()


def parse_rule(text: str | dict) -> ActivationRule:
    """The rule from its JSON text (or dict); ValueError with one sentence on bad input."""
    data = _as_dict(text)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"The activation rule has unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"it takes {', '.join(FIELDS)}, e.g. {EXAMPLE}.")
    merged = {**json.loads(DEFAULT_RULE.to_json()), **data}
    return ActivationRule(metric=_metric(merged["metric"]), kind=_kind(merged["kind"]),
                          threshold=_threshold(merged["threshold"]), window_days=_window(merged["window_days"]))


def _as_dict(text: str | dict) -> dict:
    if isinstance(text, dict):
        return text
    try:
        data = json.loads(text)
    except (TypeError, ValueError):
        raise ValueError(f"The activation rule must be a JSON object such as {EXAMPLE}; got {str(text)[:80]!r}.") from None
    if not isinstance(data, dict):
        raise ValueError(f"The activation rule must be a JSON object such as {EXAMPLE}; got {str(text)[:80]!r}.")
    return data


def _metric(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValueError(f'The rule\'s metric must be a metric name or "any"; got {str(value)[:80]!r}.')
    return value.strip()


def _kind(value) -> str:
    if value not in KINDS:
        raise ValueError(f"The rule's kind must be one of {', '.join(KINDS)}; got {str(value)[:80]!r}.")
    return value


def _threshold(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"The rule's threshold must be a number above 0; got {str(value)[:80]!r}.")
    return float(value)


def _window(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer() \
            or not 1 <= value <= MAX_WINDOW_DAYS:
        raise ValueError(f"The rule's window_days must be a whole number of days from 1 to {MAX_WINDOW_DAYS}; "
                         f"got {str(value)[:80]!r}.")
    return int(value)


def rule_setting_text(text: str) -> str:
    """The settings parser: validate and store the rule's canonical JSON."""
    return parse_rule(text).to_json()
