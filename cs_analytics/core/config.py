"""Settings shared by the library, the CLI and the app: paths, limits and named constants."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "cs_analytics" / "sql"
DEFAULT_WORKSPACE_PATH = PROJECT_ROOT / "data" / "workspace.duckdb"
WORKSPACE_ENV_VAR = "CS_ANALYTICS_DB"

AS_OF_FROM_DATA = "data"
"""The stored as-of setting that means "the data's own as-of"."""

MAX_UPLOAD_BYTES = int(os.environ.get("CS_ANALYTICS_MAX_UPLOAD_BYTES", 1024**3))

FLAG_REASON_CODES = (
    "business_decline",
    "champion_left",
    "budget_cut",
    "reorg_or_acquisition",
    "low_value_realised",
    "competitor",
    "product_gap",
    "other",
)
DEFAULT_FLAG_REVIEW_DAYS = 60
FLAG_REASON_LABELS = {
    "business_decline": "Business decline",
    "champion_left": "Champion left",
    "budget_cut": "Budget cut",
    "reorg_or_acquisition": "Reorg or acquisition",
    "low_value_realised": "Low value realised",
    "competitor": "Competitor",
    "product_gap": "Product gap",
    "other": "Other",
}
"""How a reason code reads everywhere (pages, CLI, exports): one label per code."""


def reason_label(code: str | None) -> str | None:
    """A reason code's label (FLAG_REASON_LABELS); other text (a CRM's own reason) with its
    underscores as spaces; None stays None."""
    if not isinstance(code, str):
        return None
    return FLAG_REASON_LABELS.get(code, code.replace("_", " "))


DEFAULT_ASSESSMENT_MAX_AGE_DAYS = 120
DEFAULT_HORIZON_DAYS = 90

BAND_GREEN_MIN = 70.0
BAND_YELLOW_MIN = 40.0

TARGET_GRR = 0.90
TARGET_NRR = 1.10
TARGET_LOGO_CHURN = 0.10


def workspace_path(explicit: str | os.PathLike | None = None) -> Path:
    """The workspace file: the explicit path, else $CS_ANALYTICS_DB, else data/workspace.duckdb."""
    if explicit:
        return Path(explicit)
    from_env = os.environ.get(WORKSPACE_ENV_VAR)
    return Path(from_env) if from_env else DEFAULT_WORKSPACE_PATH

# Renewals (metrics.md, Renewals; docs/renewals.md).
TARGET_RENEWAL_RATE = 0.90
RENEWAL_WINDOWS_DAYS = (30, 60, 90, 180)
RENEWAL_CALLS = ("good", "monitor", "at_risk")
RENEWAL_CALL_PROBABILITY = {"good": 0.9, "monitor": 0.6, "at_risk": 0.2}
"""A CSM's call read as a probability of renewal, to score calls with a Brier score."""
DISAGREE_GOOD_BELOW = 0.60
"""Disagreement: the call is good while the model's likelihood is below this."""
DISAGREE_AT_RISK_FROM = 0.85
"""Disagreement: the call is at_risk while the model's likelihood is at least this."""
RENEWAL_FEATURE_LEAD_DAYS = 90
"""Band and score 'before the due date' are read at the last month-end this many days before it."""
MIN_PAST_RENEWALS = 40
MIN_LOST_RENEWALS = 8
"""Fewer past renewals (or lost ones) than this: the page says so instead of a likelihood."""
MIN_RENEWED_RENEWALS = 8
"""Fewer renewed past renewals than this (e.g. a history where every contract ended): no likelihood,
a sentence instead (a one-outcome history cannot train a classifier)."""

# Page speed at 20k+ accounts (issue 14, docs/performance.md).
TABLE_ROWS_SHOWN = 1000
"""An account table on a page shows at most this many rows (in its order); a download has them all."""
QUADRANT_POINTS_MAX = 2000
"""Above this many accounts the Reality quadrant draws score bins (QUADRANT_SCORE_BIN_WIDTH wide per
quadrant and CSM sentiment) instead of one point per account: same selection, 1.6 MB less to draw."""
QUADRANT_SCORE_BIN_WIDTH = 2
