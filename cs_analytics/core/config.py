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
