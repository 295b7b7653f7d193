"""The task rules' configuration: which rules run, their thresholds and their due days.

Each rule has defaults (`RULES`); a workspace overrides them in the append-only table
`task_rule_changes` (newest row per rule in force), edited on the My work page and with
`python -m cs_analytics task rules --set RULE.PARAM=VALUE`. Every value is validated against the
rule's parameter list before it is stored, so a stored configuration is always usable.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cs_analytics.core.db import Workspace


@dataclass(frozen=True)
class Param:
    """One setting of a rule: its default and the allowed range (a bool has no range)."""

    name: str
    default: Any
    label: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class RuleSpec:
    """A rule: its name, what it raises and its parameters (every rule has enabled and due_days)."""

    name: str
    label: str
    description: str
    params: tuple[Param, ...]

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.params)
        raise ValueError(f"The rule {self.name} has no setting {name!r}; its settings are {known}.")


def _common(due_days: int) -> tuple[Param, ...]:
    return (Param("enabled", True, "On"),
            Param("due_days", due_days, "Due in (days)", 0, 365))


RULES: dict[str, RuleSpec] = {r.name: r for r in (
    RuleSpec("band_drop", "Band dropped",
             "The account's metric band dropped (e.g. green to yellow, or turned red) between the "
             "previous month-end and the as-of date.",
             _common(7) + (Param("min_bands_dropped", 1, "Bands dropped at least", 1, 2),)),
    RuleSpec("green_but_failing", "New green but failing",
             "The account is green by the metric but its CSM says at risk (quadrant green but "
             "failing), and it was not at the previous month-end.",
             _common(5)),
    RuleSpec("flag_review", "Flag past its review date",
             "A CSM flag's review-by date has passed: confirm or withdraw it.",
             _common(3)),
    RuleSpec("renewal_risk", "Renewal at risk",
             "A contract ends within the window with a red (or yellow) band, or a CSM renewal call "
             "says at risk. Due on the renewal date at the latest.",
             _common(14) + (Param("window_days", 90, "Renewal within (days)", 1, 365),
                            Param("include_yellow", True, "Yellow counts as at risk"))),
    RuleSpec("pre_renewal_spike", "Pre-renewal spike",
             "Usage spiked before a contract end and fell back after (reality.spikes), for a "
             "contract that ended within the look-back.",
             _common(7) + (Param("lookback_days", 60, "Contract ended within (days)", 1, 730),
                           Param("min_ratio", 2.0, "Usage before at least (x usual)", 1.0, 100.0))),
)}


def parse_value(param: Param, value: Any) -> Any:
    """`value` (typed, or text from a form or the CLI) as the parameter's type, within range."""
    if isinstance(param.default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "on", "yes", "1"):
            return True
        if text in ("false", "off", "no", "0"):
            return False
        raise ValueError(f"{param.name} is on or off (true/false), got {value!r}.")
    kind = int if isinstance(param.default, int) else float
    try:
        number = kind(value) if kind is float else int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{param.name} takes a {'whole ' if kind is int else ''}number, got {value!r}.") from None
    if not param.low <= number <= param.high:
        raise ValueError(f"{param.name} must lie between {param.low:g} and {param.high:g}, got {value!r}.")
    return number


def rule_spec(rule: str) -> RuleSpec:
    if rule not in RULES:
        raise ValueError(f"Unknown rule {rule!r}; the rules are {', '.join(RULES)}.")
    return RULES[rule]


def rule_configs(ws: "Workspace") -> dict[str, dict[str, Any]]:
    """Every rule's configuration in force: the defaults overlaid with the newest stored values
    (stored values of a parameter that no longer exists are ignored)."""
    stored = {row.rule: json.loads(row.config) for row in ws.query_named("tasks/rule_config").itertuples()}
    out = {}
    for name, spec in RULES.items():
        config = spec.defaults()
        for key, value in stored.get(name, {}).items():
            if key in config:
                config[key] = value
        out[name] = config
    return out


def set_rule_config(ws: "Workspace", rule: str, changes: dict[str, Any], user: str | None = None,
                    now: dt.datetime | None = None) -> dict[str, Any]:
    """Validate `changes` ({param: value}) for `rule`, store the rule's whole new configuration
    (one append-only row) and return it."""
    spec = rule_spec(rule)
    config = rule_configs(ws)[rule]
    for key, value in changes.items():
        config[key] = parse_value(spec.param(key), value)
    with ws.transaction() as cur:
        cur.execute("INSERT INTO task_rule_changes (rule, config, set_by, set_at) VALUES (?, ?, ?, ?)",
                    [rule, json.dumps(config, sort_keys=True), user, now or dt.datetime.now()])
    return config


def parse_assignment(text: str) -> tuple[str, str, str]:
    """`RULE.PARAM=VALUE` (the CLI's --set) as (rule, param, value)."""
    target, sep, value = text.partition("=")
    rule, dot, param = target.strip().partition(".")
    if not sep or not dot or not rule or not param:
        raise ValueError(f"expected RULE.PARAM=VALUE (e.g. renewal_risk.window_days=60), got {text!r}")
    return rule, param, value.strip()
