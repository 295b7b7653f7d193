"""The activation rule's JSON (metrics.md, Onboarding and activation): hostile input is refused
with one clear sentence, valid rules round-trip, and the workspace setting stores canonical JSON."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cs_analytics.core.settings import get_setting, set_setting
from cs_analytics.onboarding.rule import DEFAULT_RULE, KINDS, ActivationRule, parse_rule

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
RULE_DICTS = st.dictionaries(st.sampled_from(["metric", "kind", "threshold", "window_days", "extra"]), JSON_VALUES,
                             max_size=5)


def _one_sentence(message: str) -> None:
    assert "\n" not in message and message.endswith(".") and len(message) < 400


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=60), RULE_DICTS.map(lambda d: json.dumps(d, allow_nan=True))))
def test_any_text_is_a_valid_rule_or_one_sentence(text):
    try:
        rule = parse_rule(text)
    except ValueError as exc:
        _one_sentence(str(exc))
        return
    assert rule.kind in KINDS and rule.threshold > 0 and 1 <= rule.window_days <= 365
    assert parse_rule(rule.to_json()) == rule


@settings(max_examples=60, deadline=None)
@given(st.builds(ActivationRule, metric=st.text(min_size=1, max_size=20).filter(str.strip).map(str.strip),
                 kind=st.sampled_from(KINDS), threshold=st.floats(0.001, 1e6),
                 window_days=st.integers(1, 365)))
def test_valid_rules_round_trip(rule):
    assert parse_rule(rule.to_json()) == rule


@pytest.mark.parametrize("text, words", [
    ('{"kind": "clicks"}', "kind must be one of"),
    ('{"threshold": 0}', "threshold must be a number above 0"),
    ('{"threshold": "2"}', "threshold must be a number above 0"),
    ('{"window_days": 400}', "from 1 to 365"),
    ('{"window_days": 7.5}', "whole number"),
    ('{"metric": ""}', "metric name"),
    ('{"windows": 30}', "unknown key"),
    ("[1, 2]", "JSON object"),
    ("{", "JSON object"),
])
def test_bad_rules_say_what_is_wrong(text, words):
    with pytest.raises(ValueError, match=words):
        parse_rule(text)


def test_partial_rules_take_the_defaults():
    assert parse_rule("{}") == DEFAULT_RULE
    assert parse_rule('{"window_days": 30}') == ActivationRule(window_days=30)


def test_the_setting_stores_canonical_json_and_refuses_bad_rules(tmp_workspace):
    assert parse_rule(get_setting(tmp_workspace, "activation_rule")) == DEFAULT_RULE
    set_setting(tmp_workspace, "activation_rule", ' {"kind": "users", "threshold": 3} ', "ana")
    assert json.loads(get_setting(tmp_workspace, "activation_rule")) == {
        "metric": "any", "kind": "users", "threshold": 3, "window_days": 90}
    with pytest.raises(ValueError, match="threshold"):
        set_setting(tmp_workspace, "activation_rule", '{"threshold": -1}')
    assert parse_rule(get_setting(tmp_workspace, "activation_rule")).kind == "users"  # unchanged
    set_setting(tmp_workspace, "activation_rule", None)
    assert parse_rule(get_setting(tmp_workspace, "activation_rule")) == DEFAULT_RULE
