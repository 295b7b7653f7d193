"""The demo's account model: who the customers are, their latent success, and their contracts.

Everything here is driven by one `numpy.random.Generator`; see `cs_analytics/demo.py` for the
story the numbers tell and the planted cases. Days are integer offsets from `START` (day 0 =
2023-11-01); months are integer offsets (month 0 = November 2023, month 35 = October 2026).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

AS_OF = dt.date(2026, 10, 31)
N_MONTHS = 36
START = dt.date(2023, 11, 1)
N_DAYS = (AS_OF - START).days + 1

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_SHARE = (0.55, 0.30, 0.15)

CSM_BOOKS = {
    "Enterprise": ("Priya Raman", "Marcus Chen", "Elena Petrova"),
    "Mid-Market": ("Jordan Blake", "Aisha Okafor", "Tom Lindqvist", "Sofia Martinez"),
    "SMB": ("Liam O'Connor", "Hannah Weber", "Diego Alvarez", "Mei Tanaka", "Noah Fischer"),
}
PLANS = {
    "SMB": (("Starter", 0.55), ("Growth", 0.45)),
    "Mid-Market": (("Growth", 0.35), ("Professional", 0.65)),
    "Enterprise": (("Enterprise", 1.0),),
}
INDUSTRIES = ("Software", "Financial Services", "Healthcare", "Retail", "Manufacturing",
              "Education", "Media", "Logistics", "Professional Services")
REGIONS = (("North America", 0.45), ("EMEA", 0.33), ("APAC", 0.15), ("LATAM", 0.07))
NAME_FIRST = ("Northwind", "Bluepeak", "Cedar", "Silverline", "Harbor", "Quantum", "Summit",
              "Ironwood", "Brightpath", "Redstone", "Lakeside", "Evergreen", "Polaris", "Granite",
              "Orchid", "Falcon", "Meridian", "Copperleaf", "Tidewater", "Aurora", "Keystone",
              "Pinecrest", "Sterling", "Riverbend", "Oakmont", "Vantage", "Crescent", "Beacon",
              "Horizon", "Juniper", "Atlas", "Cobalt", "Willow", "Sparrow", "Titan", "Lumen")
NAME_SECOND = ("Logistics", "Health", "Analytics", "Foods", "Labs", "Systems", "Partners",
               "Retail", "Energy", "Media", "Capital", "Robotics", "Learning", "Clinics",
               "Manufacturing", "Travel", "Insurance", "Networks", "Studios", "Supply")
NAME_SUFFIX = ("Inc.", "Ltd", "GmbH", "Group", "Co.", "LLC", "SA", "AB", "BV", "Holdings")

# Planted case names (demo_truth.planted_case).
GREEN_BUT_FAILING = "green_but_failing"
RED_BUT_FINE = "red_but_fine"
SPIKE = "spike"
ONBOARDING_FAILURE = "onboarding_failure"

# Shares of accounts per planted case (of all accounts; counts are rounded).
SHARE_GBF = 0.065
SHARE_RBF = 0.04
SHARE_SPIKE = 0.03
SHARE_ONBOARDING_FAILURE = 0.10
GBF_LIVE_SHARE = 0.4

GBF_SUCCESS_DROP = 2.5          # latent success lost when the business starts failing
GBF_CHURN_AT_DECISION = 0.8     # probability a green-but-failing account churns at its renewal
ONBOARDING_SUCCESS_DROP = 2.0   # latent success lost by an account that never activates
ONBOARDING_DAYS = 90


def day_of(date: dt.date) -> int:
    return (date - START).days


def date_of(day: int) -> dt.date:
    return START + dt.timedelta(days=int(day))


def shift_months(date: dt.date, months: int) -> dt.date:
    """The same day of the month `months` later (days 1-28 only are used)."""
    index = date.year * 12 + date.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, min(date.day, 28))


def month_index(day: int) -> int:
    d = date_of(day)
    return (d.year - START.year) * 12 + d.month - START.month


def sigmoid(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


@dataclass
class Account:
    """One demo account: attributes, usage parameters, latent success path and contracts."""

    index: int
    account_id: str
    segment: str
    start_day: int
    billing: str                  # monthly / annual
    base_mrr: float
    seats: int
    p_user: float                 # per-user probability of activity on a weekday
    breadth: float                # 0-1, how many features the account uses
    integration: bool             # uses the API
    mu: float                     # long-run latent success
    sigma: float                  # monthly volatility of latent success
    case: str | None = None
    activated: bool = True
    gbf_live: bool = False
    s_true: np.ndarray = field(default_factory=lambda: np.full(N_MONTHS, np.nan))
    s_usage: np.ndarray = field(default_factory=lambda: np.full(N_MONTHS, np.nan))
    contracts: list = field(default_factory=list)      # (contract_id, start_day, end_day|None, mrr, product)
    live_spans: list = field(default_factory=list)     # (first_day, last_day) as a customer
    churn_days: list = field(default_factory=list)     # last day of service before each churn
    gbf_onset_day: int | None = None
    gbf_decision_day: int | None = None
    spike_end_day: int | None = None


def make_accounts(rng: np.random.Generator, n: int) -> list[Account]:
    """Accounts with segment, start, size and usage parameters; planted cases assigned."""
    segments = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    # A founding base starts in the first month; the rest arrive at a slowly growing pace.
    founding = rng.random(n) < 0.22
    weights = np.linspace(1.0, 1.6, N_MONTHS)
    weights /= weights.sum()
    start_months = np.where(founding, 0, rng.choice(N_MONTHS, size=n, p=weights))
    start_dom = rng.integers(1, 29, size=n)
    accounts = []
    for i in range(n):
        seg = SEGMENTS[segments[i]]
        month = int(start_months[i])
        start = dt.date(START.year + (START.month - 1 + month) // 12,
                        (START.month - 1 + month) % 12 + 1, int(start_dom[i]))
        if seg == "SMB":
            billing = "annual" if rng.random() < 0.2 else "monthly"
            base_mrr = float(rng.choice([99, 199, 299, 499, 799], p=[0.3, 0.3, 0.2, 0.15, 0.05]))
            seats = int(rng.integers(2, 11))
            p_user = 0.09
            mu = rng.normal(0.1, 0.8)
        elif seg == "Mid-Market":
            billing = "annual"
            base_mrr = float(np.round(rng.lognormal(np.log(2200), 0.45), -1))
            seats = int(rng.integers(8, 41))
            p_user = 0.045
            mu = rng.normal(0.3, 0.8)
        else:
            billing = "annual"
            base_mrr = float(np.round(rng.lognormal(np.log(11000), 0.5), -2))
            seats = int(rng.integers(25, 121))
            p_user = 0.027
            mu = rng.normal(0.45, 0.8)
        accounts.append(Account(
            index=i, account_id=f"ACC-{i + 1:05d}", segment=seg, start_day=day_of(start),
            billing=billing, base_mrr=base_mrr, seats=seats,
            # Usage habits vary by account independently of success: the signal stays imperfect.
            p_user=float(p_user * rng.lognormal(0.0, 0.45)),
            breadth=float(np.clip(rng.beta(4, 2.5), 0.15, 1.0)),
            integration=bool(seg != "SMB" and rng.random() < 0.4),
            mu=float(mu), sigma=float(rng.uniform(0.12, 0.3)),
        ))
    assign_cases(rng, accounts)
    return accounts


def assign_cases(rng: np.random.Generator, accounts: list[Account]) -> None:
    """Pick the planted accounts (one case per account at most) and set their parameters."""
    n = len(accounts)
    taken: set[int] = set()

    def pick(candidates: list[Account], count: int) -> list[Account]:
        pool = [a for a in candidates if a.index not in taken]
        count = min(count, len(pool))
        chosen = [pool[i] for i in sorted(rng.choice(len(pool), size=count, replace=False))] if count else []
        taken.update(a.index for a in chosen)
        return chosen

    annual_old = [a for a in accounts if a.billing == "annual" and a.start_day <= day_of(AS_OF) - 400]
    n_gbf = max(2, round(SHARE_GBF * n))
    gbf = pick([a for a in annual_old if a.segment != "SMB"], n_gbf)
    n_live = max(1, round(GBF_LIVE_SHARE * len(gbf)))
    for j, a in enumerate(gbf):
        a.case = GREEN_BUT_FAILING
        # Usage-healthy: many users, frequent use, broad adoption, strong pre-failure success.
        a.seats = int(a.seats * 1.3) + 5
        a.p_user = max(a.p_user, 1.4 * (0.05 if a.segment == "Mid-Market" else 0.03))
        a.breadth = float(rng.uniform(0.8, 1.0))
        a.mu = float(rng.uniform(0.9, 1.6))
        a.sigma = 0.12
    live_idx = rng.permutation(len(gbf))[:n_live]
    for j, a in enumerate(gbf):
        a.gbf_live = j in set(live_idx.tolist())

    rbf = pick([a for a in accounts if a.start_day <= day_of(AS_OF) - 200], max(2, round(SHARE_RBF * n)))
    for a in rbf:
        a.case = RED_BUT_FINE
        a.seats = int(rng.integers(1, 4))
        a.p_user = float(rng.uniform(0.015, 0.03))
        a.breadth = float(rng.uniform(0.15, 0.3))
        a.integration = False
        a.mu = float(rng.uniform(1.2, 1.8))
        a.sigma = 0.12

    spike = pick([a for a in annual_old if a.segment != "SMB"], max(2, round(SHARE_SPIKE * n)))
    for a in spike:
        a.case = SPIKE
        # Enough activity that a 60-day window is not dominated by chance.
        a.p_user = float(np.clip(a.p_user, 0.08, 0.12))
        a.seats = max(a.seats, 40)
        a.integration = False
        a.mu = float(np.clip(a.mu, 0.2, 0.8))
        a.sigma = 0.02

    onboarding = pick([a for a in accounts if a.start_day <= day_of(AS_OF) - 180],
                      max(2, round(SHARE_ONBOARDING_FAILURE * n)))
    for a in onboarding:
        a.case = ONBOARDING_FAILURE
        a.activated = False


def simulate_success(rng: np.random.Generator, a: Account) -> None:
    """Latent success per month: AR(1) around the account's long-run level `mu`."""
    first = month_index(a.start_day)
    s = a.mu + (0.0 if a.case == SPIKE else rng.normal(0, 0.5))
    for m in range(first, N_MONTHS):
        a.s_true[m] = s
        s = 0.85 * s + 0.15 * a.mu + rng.normal(0, a.sigma)
    a.s_usage[:] = a.s_true
    if not a.activated:
        drop_month = month_index(a.start_day + ONBOARDING_DAYS)
        a.s_true[drop_month:] -= ONBOARDING_SUCCESS_DROP
        a.s_usage[drop_month:] -= ONBOARDING_SUCCESS_DROP
    if a.case == RED_BUT_FINE:
        a.s_usage[:] = a.s_true - 1.5


def _success_at(a: Account, day: int) -> float:
    m = min(month_index(min(day, day_of(AS_OF))), N_MONTHS - 1)
    value = a.s_true[m]
    return float(a.mu if np.isnan(value) else value)


def renewal_churn_probability(a: Account, day: int) -> float:
    """Chance an annual contract is not renewed at its end, from the latent success then."""
    base = {"SMB": -1.4, "Mid-Market": -2.2, "Enterprise": -2.8}[a.segment]
    return sigmoid(base - 1.5 * _success_at(a, day))


def monthly_churn_hazard(a: Account, day: int) -> float:
    """Chance a monthly subscription is cancelled at a monthly anniversary."""
    return sigmoid(-3.9 - 1.3 * _success_at(a, day))


def renewal_mrr_factor(rng: np.random.Generator, a: Account, day: int) -> float:
    """MRR multiplier at a renewal: expansion when successful, contraction when struggling."""
    s = _success_at(a, day)
    u = rng.random()
    if u < 0.6 * sigmoid(1.2 * s + 0.3):
        return float(1 + rng.uniform(0.1, 0.6))
    if u > 1 - 0.25 * sigmoid(-1.2 * s - 0.3):
        return float(1 - rng.uniform(0.1, 0.3))
    return float(1 + rng.choice([0.0, 0.03, 0.05, 0.07]))


def term_months(rng: np.random.Generator, a: Account) -> int:
    if a.segment == "Enterprise":
        return int(rng.choice([12, 24, 36], p=[0.5, 0.3, 0.2]))
    if a.segment == "Mid-Market":
        return int(rng.choice([12, 24], p=[0.85, 0.15]))
    return 12


def simulate_contracts(rng: np.random.Generator, a: Account) -> None:
    """Contracts from the account's start to as_of, with renewals, changes, churn, reactivation."""
    as_of_day = day_of(AS_OF)
    start = a.start_day
    first_start = start
    counter = [0]

    def new_id() -> str:
        counter[0] += 1
        return f"{a.account_id}-C{counter[0]:02d}"

    mrr = a.base_mrr
    while start <= as_of_day:
        if a.billing == "monthly":
            end = _simulate_monthly(rng, a, start, mrr, new_id)
        else:
            end = _simulate_annual(rng, a, start, first_start, mrr, new_id)
        a.live_spans.append((start, end if end is not None else as_of_day))
        if end is None or end >= as_of_day:
            break
        a.churn_days.append(end)
        # Reactivation: some churned customers come back a few months later.
        p_back = {"SMB": 0.15, "Mid-Market": 0.06, "Enterprise": 0.03}[a.segment]
        if a.case in (GREEN_BUT_FAILING, SPIKE) or rng.random() >= p_back:
            break
        start = day_of(shift_months(date_of(end), int(rng.integers(2, 10))))
        if start > as_of_day:
            break
        mrr = a.base_mrr * float(rng.uniform(0.8, 1.1))
        m = month_index(start)
        a.s_true[m:] = a.s_true[m:] + 0.8
        a.s_usage[m:] = a.s_usage[m:] + 0.8


def _simulate_monthly(rng, a: Account, start: int, mrr: float, new_id) -> int | None:
    """An open-ended monthly subscription; plan changes start a new row. Returns the churn end day."""
    as_of_day = day_of(AS_OF)
    row_start = start
    k = 1
    while True:
        anniversary = day_of(shift_months(date_of(start), k))
        if anniversary > as_of_day:
            a.contracts.append((new_id(), row_start, None, round(mrr, 2), "Platform"))
            return None
        protected = a.case == RED_BUT_FINE and rng.random() < 0.995
        if not protected and rng.random() < monthly_churn_hazard(a, anniversary):
            a.contracts.append((new_id(), row_start, anniversary - 1, round(mrr, 2), "Platform"))
            return anniversary - 1
        s = _success_at(a, anniversary)
        u = rng.random()
        change = None
        if u < 0.025 * sigmoid(1.5 * s):
            change = float(rng.choice([1.5, 2.0]))
        elif u > 1 - 0.015 * sigmoid(-1.5 * s):
            change = 0.5
        if change is not None:
            a.contracts.append((new_id(), row_start, anniversary - 1, round(mrr, 2), "Platform"))
            mrr = mrr * change
            row_start = anniversary
        k += 1


def _simulate_annual(rng, a: Account, start: int, first_start: int, mrr: float, new_id) -> int | None:
    """Annual or multi-year terms renewed back to back. Returns the churn end day or None."""
    as_of_day = day_of(AS_OF)
    term_start = start
    while True:
        months = term_months(rng, a)
        end = day_of(shift_months(date_of(term_start), months)) - 1
        addon = None
        if a.segment != "SMB" and a.case is None and rng.random() < 0.3 * sigmoid(2 * _success_at(a, term_start) - 0.5):
            addon_start = term_start + int(rng.integers(90, max(91, (end - term_start) - 60)))
            if addon_start < min(end, as_of_day):
                addon = round(mrr * float(rng.uniform(0.1, 0.3)), 2)
                a.contracts.append((new_id(), addon_start, end, addon, "Add-on seats"))
        a.contracts.append((new_id(), term_start, end, round(mrr, 2), "Platform"))
        if end >= as_of_day:
            if a.case == GREEN_BUT_FAILING and a.gbf_decision_day is None:
                # Still a customer at as_of (planned so, or no earlier renewal fitted): live case.
                a.gbf_live = True
                a.gbf_decision_day = end
            return None
        churn = _decide_renewal(rng, a, end)
        if churn:
            return end
        mrr = (mrr + (addon or 0.0)) * renewal_mrr_factor(rng, a, end)
        if a.case == GREEN_BUT_FAILING and a.gbf_decision_day == end:
            mrr *= float(rng.uniform(0.6, 0.8))    # kept, but smaller
        term_start = end + 1


def _decide_renewal(rng, a: Account, end: int) -> bool:
    """True when the account churns at contract end `end` (a day before as_of)."""
    as_of_day = day_of(AS_OF)
    if a.case == GREEN_BUT_FAILING:
        if a.gbf_live or a.gbf_decision_day is not None:
            return False if a.gbf_decision_day != end else bool(rng.random() < GBF_CHURN_AT_DECISION)
        # Historical: the first renewal at least ~11 months after the start and 30+ days before
        # as_of is where the business failure shows up.
        if end - a.start_day >= 330 and end <= as_of_day - 30 and (
                rng.random() < 0.7 or end > as_of_day - 400):
            a.gbf_decision_day = end
            a.gbf_onset_day = end - int(rng.integers(100, 160))
            return bool(rng.random() < GBF_CHURN_AT_DECISION)
        return False
    if a.case == SPIKE:
        if a.spike_end_day is None and end - a.start_day >= 300 and end <= as_of_day - 60:
            a.spike_end_day = end
        return False if a.spike_end_day is None or end <= a.spike_end_day else bool(
            rng.random() < renewal_churn_probability(a, end))
    if a.case == RED_BUT_FINE:
        return bool(rng.random() < 0.02)
    return bool(rng.random() < renewal_churn_probability(a, end))


def finalise_gbf(rng: np.random.Generator, a: Account) -> None:
    """Set the failure onset for live green-but-failing accounts and apply the success drop."""
    as_of_day = day_of(AS_OF)
    if a.case == SPIKE and a.spike_end_day is None:
        a.case = None               # no contract end fitted the plant
    if a.case != GREEN_BUT_FAILING:
        return
    if a.gbf_live:
        a.gbf_onset_day = as_of_day - int(rng.integers(60, 110))
    if a.gbf_onset_day is None:
        return
    m = month_index(max(a.gbf_onset_day, a.start_day))
    # The business fails; the product usage (s_usage) does not show it.
    a.s_true[m:] = a.s_true[m:] - GBF_SUCCESS_DROP
