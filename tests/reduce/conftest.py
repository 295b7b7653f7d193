"""Fixtures of the reduction tests: one local Spark session per test process (`local[2]`).

Without Java or pyspark the Spark tests skip with the reason, except under CI=true where they
fail (make test installs Debian's Java with scripts/ensure_java.sh, like Chromium).
"""
from __future__ import annotations

import os

import pytest

from cs_analytics.reduce.spark_engine import java_available, pyspark_available


def require_spark() -> None:
    missing = [what for what, ok in (("Java (openjdk-17-jre-headless)", java_available()),
                                     ("pyspark", pyspark_available())) if not ok]
    if not missing:
        return
    message = " and ".join(missing) + " missing for the Spark tests"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (required under CI=true; make test runs scripts/ensure_java.sh).")
    pytest.skip(message + "; install with `bash scripts/ensure_java.sh` and requirements-dev.txt.")


@pytest.fixture(scope="session")
def spark():
    """One local[2] SparkSession for the whole test process, stopped at the end."""
    require_spark()
    from cs_analytics.reduce.spark_engine import spark_session

    session = spark_session("local[2]", app_name="cs-analytics-tests")
    session.sparkContext.setLogLevel("ERROR")
    # Tests reduce a few thousand rows: compiling whole-stage code costs more than it saves.
    session.conf.set("spark.sql.codegen.wholeStage", "false")
    yield session
    session.stop()
