"""The demo generator's frames: determinism, shape, valid contracts, and the planted cases.

Every planted property is recomputed here from the frames with plain pandas (independent of the
product's metric code). The thresholds are the ones documented in docs/demo.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cs_analytics.demo.build import generate_demo_frames

AS_OF = pd.Timestamp("2026-10-31")
FAILING_REASONS = {"business_decline", "champion_left", "budget_cut"}
_BY_ACCOUNT: dict[int, dict[str, pd.Series]] = {}


@pytest.fixture(scope="module")
def frames():
    return generate_demo_frames(accounts=1200, seed=7)


@pytest.fixture(scope="module")
def daily(frames):
    """Usage per account and day: value, distinct users."""
    u = frames["usage"]
    return u.groupby(["account_id", "event_date"]).agg(value=("value", "sum"),
                                                        users=("user_id", "nunique")).reset_index()


@pytest.fixture(scope="module")
def month_mrr(frames):
    """MRR(a, M) month-end snapshots, accounts x month-ends (November 2023 .. October 2026)."""
    return mrr_by_month(frames["contracts"])


# -- plain-pandas helpers ---------------------------------------------------------------------

def mrr_by_month(contracts: pd.DataFrame) -> pd.DataFrame:
    months = pd.date_range("2023-11-30", AS_OF, freq="ME")
    end = contracts["end_date"].fillna(AS_OF)
    cols = {m: np.where((contracts["start_date"] <= m) & (end >= m), contracts["mrr"], 0.0) for m in months}
    table = pd.DataFrame(cols, index=contracts.index)
    table["account_id"] = contracts["account_id"]
    return table.groupby("account_id").sum()


def mrr_on(contracts: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """MRR per account on one day (accounts with contracts only)."""
    end = contracts["end_date"].fillna(AS_OF)
    active = (contracts["start_date"] <= day) & (end >= day)
    return contracts["mrr"].where(active, 0.0).groupby(contracts["account_id"]).sum()


def contract_arrays(contracts: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per account: its contracts' start dates, end dates (open ends at AS_OF) and MRR."""
    return {a: (g["start_date"].to_numpy(), g["end_date"].fillna(AS_OF).to_numpy(), g["mrr"].to_numpy())
            for a, g in contracts.groupby("account_id")}


def account_mrr_on(arrays: tuple[np.ndarray, np.ndarray, np.ndarray], day: pd.Timestamp) -> float:
    """MRR of one account on one day (`mrr_on` for one account's `contract_arrays`, without a
    groupby: called thousands of times)."""
    start, end, mrr = arrays
    return float(mrr[(start <= day.to_datetime64()) & (end >= day.to_datetime64())].sum())


def window_sum(daily: pd.DataFrame, account: str, first: pd.Timestamp, last: pd.Timestamp) -> float:
    """Usage value of `account` on days first..last (inclusive)."""
    if id(daily) not in _BY_ACCOUNT:
        _BY_ACCOUNT[id(daily)] = {a: g.set_index("event_date")["value"].sort_index()
                                  for a, g in daily.groupby("account_id")}
    series = _BY_ACCOUNT[id(daily)].get(account)
    return 0.0 if series is None else float(series.loc[first:last].sum())


def spike_ratios(daily: pd.DataFrame, account: str, end: pd.Timestamp) -> tuple[float, float]:
    """metrics.md: usage in the 60 days up to E / average 60-day usage in the 180 days before;
    and usage in the 60 days after E over the same baseline."""
    day = pd.Timedelta(days=1)
    before = window_sum(daily, account, end - 59 * day, end)
    baseline = window_sum(daily, account, end - 239 * day, end - 60 * day) / 3
    after = window_sum(daily, account, end + day, min(end + 60 * day, AS_OF))
    if baseline == 0:
        return float("inf"), float("inf")
    return before / baseline, after / baseline


def activity_30d(usage: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """Active users and active days per account in the 30 days ending `day`."""
    rows = usage[(usage["event_date"] > day - pd.Timedelta(days=30)) & (usage["event_date"] <= day)]
    return rows.groupby("account_id").agg(users=("user_id", "nunique"), days=("event_date", "nunique"))


def usage_healthy(usage: pd.DataFrame, customers: pd.Index, day: pd.Timestamp, quantile: float = 0.6) -> pd.Series:
    """Customers whose 30-day active users AND active days are both at least the `quantile`
    of all customers on `day`."""
    act = activity_30d(usage, day).reindex(customers).fillna(0)
    return (act["users"] >= act["users"].quantile(quantile)) & (act["days"] >= act["days"].quantile(quantile))


def latest_assessment(assessments: pd.DataFrame, account: str, day: pd.Timestamp) -> pd.Series | None:
    rows = assessments[(assessments["account_id"] == account) & (assessments["assessed_at"] <= day)]
    return None if rows.empty else rows.sort_values("assessed_at").iloc[-1]


# -- determinism and shape --------------------------------------------------------------------

def test_same_seed_gives_identical_frames():
    first = generate_demo_frames(accounts=150, seed=3)
    second = generate_demo_frames(accounts=150, seed=3)
    assert first.keys() == second.keys()
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_exact=True)


def test_other_seed_gives_other_data():
    first = generate_demo_frames(accounts=150, seed=3)
    other = generate_demo_frames(accounts=150, seed=4)
    assert not first["contracts"]["mrr"].equals(other["contracts"]["mrr"])
    assert len(first["usage"]) != len(other["usage"])


def test_as_of_is_fixed():
    with pytest.raises(ValueError):
        generate_demo_frames(accounts=50, seed=1, as_of=pd.Timestamp("2025-01-31").date())


def test_sizes_segments_and_owners(frames):
    acc = frames["accounts"]
    assert len(acc) == 1200 and acc["account_id"].is_unique and acc["account_name"].is_unique
    share = acc["segment"].value_counts(normalize=True)
    assert 0.50 <= share["SMB"] <= 0.60
    assert 0.25 <= share["Mid-Market"] <= 0.35
    assert 0.11 <= share["Enterprise"] <= 0.19
    assert 10 <= acc["csm_owner"].nunique() <= 15
    assert acc[["plan", "industry", "region", "created_at"]].notna().all().all()
    assert 1_000_000 <= len(frames["usage"]) <= 1_500_000
    assert set(frames["usage"]["metric"]) == {"login", "dashboard_viewed", "report_created", "export", "api_call"}
    assert (frames["usage"]["value"] > 0).all() and frames["usage"]["user_id"].notna().all()
    assert set(frames["assessments"]["sentiment"]) == {"green", "yellow", "red"}
    assert frames["nps"]["score"].between(0, 10).all()
    # Every date lies in the 36 months ending at as_of, and as_of itself has usage.
    for table, col in (("usage", "event_date"), ("contracts", "start_date"), ("assessments", "assessed_at"),
                       ("nps", "responded_at")):
        assert frames[table][col].min() >= pd.Timestamp("2023-11-01")
        assert frames[table][col].max() <= AS_OF
    assert frames["usage"]["event_date"].max() == AS_OF


def test_assessment_cadence_by_segment(frames):
    acc = frames["accounts"].set_index("account_id")
    per_account = frames["assessments"].groupby("account_id").size().reindex(acc.index).fillna(0)
    mean = per_account.groupby(acc["segment"]).mean()
    assert mean["Enterprise"] > 2 * mean["Mid-Market"] > 2 * mean["SMB"]
    reasons = frames["assessments"]["reason"].dropna()
    assert set(reasons) <= {"business_decline", "champion_left", "budget_cut", "reorg_or_acquisition",
                            "low_value_realised", "competitor", "product_gap", "other"}


def test_contracts_are_valid(frames):
    c = frames["contracts"]
    assert c["contract_id"].is_unique
    assert (c["mrr"] > 0).all()
    closed = c["end_date"].notna()
    assert (c.loc[closed, "end_date"] >= c.loc[closed, "start_date"]).all()
    assert set(c["account_id"]) == set(frames["accounts"]["account_id"])
    seg = c["account_id"].map(frames["accounts"].set_index("account_id")["segment"])
    # Open-ended subscriptions exist only for SMB, and are common there.
    assert not c.loc[c["end_date"].isna(), "account_id"].map(
        frames["accounts"].set_index("account_id")["segment"]).ne("SMB").any()
    smb_accounts = frames["accounts"].query("segment == 'SMB'")["account_id"]
    open_smb = c[c["end_date"].isna() & c["account_id"].isin(smb_accounts)]["account_id"].nunique()
    assert open_smb >= 0.4 * len(smb_accounts)
    # Mid-Market and Enterprise platform terms run 12, 24 or 36 months, ending the day before.
    terms = c[(seg != "SMB") & (c["product"] == "Platform")]
    months = [(t.start_date + pd.DateOffset(months=k) - pd.Timedelta(days=1)) == t.end_date
              for t in terms.itertuples() for k in (12, 24, 36)]
    assert np.array(months).reshape(-1, 3).any(axis=1).all()
    # A renewal starts the day after the previous platform term ends (no gap, no overlap).
    platform = c[c["product"] == "Platform"].sort_values(["account_id", "start_date"])
    nxt = platform.groupby("account_id")["start_date"].shift(-1)
    follows = nxt.notna() & platform["end_date"].notna()
    gap = (nxt[follows] - platform.loc[follows, "end_date"]).dt.days
    assert (gap >= 1).all()                     # never overlapping
    assert (gap == 1).mean() >= 0.8             # mostly back-to-back renewals; the rest reactivations


def test_movements_all_occur(month_mrr):
    prev, cur = month_mrr.shift(axis=1).iloc[:, 1:], month_mrr.iloc[:, 1:]
    ever = month_mrr.cumsum(axis=1).shift(axis=1).iloc[:, 1:] > 0
    counts = {
        "new": ((prev == 0) & (cur > 0) & ~ever).sum().sum(),
        "reactivation": ((prev == 0) & (cur > 0) & ever).sum().sum(),
        "expansion": ((prev > 0) & (cur > prev)).sum().sum(),
        "contraction": ((prev > 0) & (cur > 0) & (cur < prev)).sum().sum(),
        "churn": ((prev > 0) & (cur == 0)).sum().sum(),
    }
    assert counts["reactivation"] >= 20 and counts["expansion"] >= 100
    assert counts["contraction"] >= 30 and counts["churn"] >= 150


def test_mrr_grows_and_retention_is_realistic(month_mrr):
    total = month_mrr.sum()
    assert total.iloc[-1] >= 2.0 * total.iloc[0]
    assert (total.iloc[-12:].diff().dropna() > 0).mean() >= 0.75
    for k in range(len(total) - 12, len(total)):
        base = month_mrr[month_mrr.iloc[:, k - 12] > 0]
        before, now = base.iloc[:, k - 12], base.iloc[:, k]
        grr = np.minimum(now, before).sum() / before.sum()
        nrr = now.sum() / before.sum()
        assert 0.82 <= grr <= 0.95, (total.index[k], grr)
        assert 0.90 <= nrr <= 1.12, (total.index[k], nrr)


# -- planted cases -----------------------------------------------------------------------------

def test_planted_counts(frames):
    truth = frames["demo_truth"]
    counts = truth["planted_case"].value_counts()
    assert 0.05 * 1200 <= counts["green_but_failing"] <= 0.08 * 1200
    gbf = truth[truth["planted_case"] == "green_but_failing"]
    assert gbf["gbf_live"].sum() >= 25 and (~gbf["gbf_live"]).sum() >= 25
    assert counts["red_but_fine"] >= 30
    assert 20 <= counts["spike"] <= 40
    assert counts["onboarding_failure"] >= 80


def test_green_but_failing_usage_is_healthy(frames, month_mrr):
    truth, usage = frames["demo_truth"], frames["usage"]
    gbf = truth[truth["planted_case"] == "green_but_failing"]
    live = gbf[gbf["gbf_live"]]
    customers = month_mrr.index[month_mrr.iloc[:, -1] > 0]
    healthy_now = usage_healthy(usage, customers, AS_OF)
    assert live["account_id"].isin(customers).all()
    assert healthy_now.reindex(live["account_id"]).mean() >= 0.75
    hist = gbf[~gbf["gbf_live"]]
    healthy_before = []
    for row in hist.itertuples():
        day = row.gbf_decision_date - pd.Timedelta(days=30)
        on_day = mrr_on(frames["contracts"], day)
        healthy_before.append(bool(usage_healthy(usage, on_day.index[on_day > 0], day).get(row.account_id, False)))
    assert np.mean(healthy_before) >= 0.75


def test_green_but_failing_csm_says_red_before_the_decision(frames):
    truth, assessments = frames["demo_truth"], frames["assessments"]
    gbf = truth[truth["planted_case"] == "green_but_failing"]
    for row in gbf.itertuples():
        ref = AS_OF if row.gbf_live else row.gbf_decision_date
        latest = latest_assessment(assessments, row.account_id, ref)
        assert latest is not None, row.account_id
        assert latest["sentiment"] in ("red", "yellow"), row.account_id
        assert latest["reason"] in FAILING_REASONS, row.account_id
        assert (ref - latest["assessed_at"]).days <= 120, row.account_id


def test_green_but_failing_churn_far_more_than_other_healthy_accounts(frames, month_mrr, daily):
    truth, contracts, usage = frames["demo_truth"], frames["contracts"], frames["usage"]
    hist = truth[(truth["planted_case"] == "green_but_failing") & ~truth["gbf_live"]]
    after = [mrr_on(contracts, d + pd.Timedelta(days=1)).get(a, 0.0) == 0
             for a, d in zip(hist["account_id"], hist["gbf_decision_date"])]
    gbf_rate = float(np.mean(after))
    # Other usage-healthy customers at quarterly snapshots: churn within the next 180 days.
    planted = set(truth.loc[truth["planted_case"].notna(), "account_id"])
    outcomes = []
    for k in range(5, month_mrr.shape[1] - 6, 3):
        day = month_mrr.columns[k]
        customers = month_mrr.index[month_mrr.iloc[:, k] > 0]
        healthy = usage_healthy(usage, customers, day)
        chosen = [a for a in healthy.index[healthy] if a not in planted]
        churned = (month_mrr.loc[chosen].iloc[:, k + 1:k + 7] == 0).any(axis=1)
        outcomes.append(churned)
    other_rate = float(pd.concat(outcomes).mean())
    assert gbf_rate >= 0.6
    assert gbf_rate >= 2 * other_rate, (gbf_rate, other_rate)


def test_red_but_fine_have_low_usage_green_csm_and_renew(frames):
    truth, usage, assessments = frames["demo_truth"], frames["usage"], frames["assessments"]
    rbf = truth[truth["planted_case"] == "red_but_fine"]
    assert rbf["ever_churned"].mean() <= 0.10
    live = rbf[~rbf["churned"]]
    customers = mrr_on(frames["contracts"], AS_OF)
    act = activity_30d(usage, AS_OF).reindex(customers.index[customers > 0]).fillna(0)
    low = act.reindex(live["account_id"])["users"] <= act["users"].quantile(0.25)
    assert low.mean() >= 0.8
    for account in rbf["account_id"]:
        latest = latest_assessment(assessments, account, AS_OF)
        assert latest is not None and latest["sentiment"] == "green", account
    latest_days = [(AS_OF - latest_assessment(assessments, a, AS_OF)["assessed_at"]).days for a in live["account_id"]]
    assert np.mean(np.array(latest_days) <= 120) >= 0.9


def test_planted_spikes_meet_the_metrics_definition(frames, daily):
    truth = frames["demo_truth"]
    spikes = truth[truth["planted_case"] == "spike"]
    for row in spikes.itertuples():
        before, after = spike_ratios(daily, row.account_id, row.spike_contract_end)
        assert before >= 2.0, (row.account_id, before)
        assert after < 1.2, (row.account_id, after)
        # The account renewed: a contract starts the day after E.
        assert mrr_on(frames["contracts"], row.spike_contract_end + pd.Timedelta(days=1)).get(row.account_id, 0) > 0


def test_unplanted_renewals_rarely_look_like_spikes(frames, daily):
    """Among renewals (customer on E + 1) with service throughout the 240 days before E, the
    spike pattern is rare unless planted. (Unplanted hits also come from churns, reactivations
    and 1-3-seat accounts; docs/demo.md lists how many.)"""
    truth, c = frames["demo_truth"], frames["contracts"]
    planted = set(truth.loc[truth["planted_case"] == "spike", "account_id"])
    ends = c[c["end_date"].notna() & (c["end_date"] <= AS_OF - pd.Timedelta(days=60))]
    found = 0
    by_account = contract_arrays(c)
    for account, end in ends[["account_id", "end_date"]].drop_duplicates().itertuples(index=False):
        if account in planted:
            continue
        served = [account_mrr_on(by_account[account], end - pd.Timedelta(days=k)) > 0
                  for k in (-1, 0, 60, 120, 180, 239)]
        if not all(served):
            continue
        before, after = spike_ratios(daily, account, end)
        found += before >= 2.0 and after < 1.2
    assert found <= 0.25 * len(planted), found


def test_onboarding_failures_use_little_and_churn_far_more(frames, daily):
    truth = frames["demo_truth"].set_index("account_id")
    starts = frames["contracts"].groupby("account_id")["start_date"].min()
    old = starts[starts <= AS_OF - pd.Timedelta(days=365)].index
    first90 = daily.merge(starts.rename("start").reset_index(), on="account_id")
    first90 = first90[(first90["event_date"] - first90["start"]).dt.days < 90]
    days90 = first90.groupby("account_id")["event_date"].nunique().reindex(truth.index).fillna(0)
    failed = truth.index[truth["planted_case"] == "onboarding_failure"]
    activated = truth.index[truth["planted_case"].isna()]
    assert days90[failed].median() <= 0.3 * days90[activated].median()
    rate_failed = truth.loc[failed.intersection(old), "ever_churned"].mean()
    rate_activated = truth.loc[activated.intersection(old), "ever_churned"].mean()
    assert rate_failed >= 2 * rate_activated, (rate_failed, rate_activated)


def test_truth_matches_contracts(frames, month_mrr):
    truth = frames["demo_truth"].set_index("account_id")
    customer_at_as_of = month_mrr.iloc[:, -1] > 0
    assert (truth["churned"] == ~customer_at_as_of.reindex(truth.index)).all()
    assert truth["planted_case"].dropna().isin(
        ["green_but_failing", "red_but_fine", "spike", "onboarding_failure"]).all()
