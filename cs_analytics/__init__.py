"""CS Analytics: cohort retention, explainable health scores and CSM reality, on DuckDB."""
__version__ = "0.1.0"
