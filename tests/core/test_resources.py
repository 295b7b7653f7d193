"""Every workspace connection runs with the chosen memory limit, spill directory and threads."""
from __future__ import annotations

import pytest

from cs_analytics.core import resources
from cs_analytics.core.errors import WorkspaceError
from cs_analytics.core.db import close_workspace, open_workspace

GIB = 1024**3


def _settings(path) -> dict:
    """The settings a fresh connection to the workspace at `path` runs with."""
    names = ("memory_limit", "temp_directory", "threads")
    ws = open_workspace(path, keep_lease=True)
    try:
        values = ws.query("SELECT " + ", ".join(f"current_setting('{n}') AS {n}" for n in names))
    finally:
        ws.release()
        close_workspace(path)
    return values.iloc[0].to_dict()


def test_defaults_apply_to_the_workspace_connection(tmp_path, monkeypatch):
    for name in (resources.MEMORY_LIMIT_ENV, resources.TEMP_DIR_ENV, resources.THREADS_ENV):
        monkeypatch.delenv(name, raising=False)
    got = _settings(tmp_path / "w.duckdb")
    expected_bytes = min(4 * GIB, resources.total_ram_bytes() // 4)
    assert got["temp_directory"] == str(tmp_path / "w.duckdb.tmp")
    assert int(got["threads"]) == resources.thread_count({})
    # DuckDB reports the limit rounded to two decimals of its unit ("3.9 GiB", "512.0 MiB")
    amount, unit = got["memory_limit"].split()
    reported = float(amount) * {"MiB": 1024**2, "GiB": GIB}[unit]
    assert abs(reported - expected_bytes) <= 0.01 * expected_bytes


def test_environment_overrides_apply(tmp_path, monkeypatch):
    spill = tmp_path / "spill"
    monkeypatch.setenv(resources.MEMORY_LIMIT_ENV, "512MB")
    monkeypatch.setenv(resources.TEMP_DIR_ENV, str(spill))
    monkeypatch.setenv(resources.THREADS_ENV, "1")
    got = _settings(tmp_path / "w.duckdb")
    assert int(got["threads"]) == 1
    assert got["temp_directory"] == str(spill)
    assert got["memory_limit"] == "488.0 MiB"  # 512 MB = 488.28 MiB, passed in whole MiB


@pytest.mark.parametrize("name, value, words", [
    (resources.MEMORY_LIMIT_ENV, "lots", "not a memory size"),
    (resources.MEMORY_LIMIT_ENV, "0GB", "not a memory size"),
    (resources.MEMORY_LIMIT_ENV, "150%", "at most 100%"),
    (resources.THREADS_ENV, "0", "whole number of threads"),
    (resources.THREADS_ENV, "two", "whole number of threads"),
])
def test_a_bad_value_is_a_clear_error_naming_the_variable(tmp_path, monkeypatch, name, value, words):
    monkeypatch.setenv(name, value)
    with pytest.raises(WorkspaceError, match=name) as info:
        open_workspace(tmp_path / "w.duckdb")
    assert words in str(info.value)


def test_a_temp_dir_that_is_a_file_is_refused(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv(resources.TEMP_DIR_ENV, str(blocker))
    with pytest.raises(WorkspaceError, match="is a file"):
        open_workspace(tmp_path / "w.duckdb")


def test_sizes_and_shares_are_read_in_bytes():
    assert resources.memory_limit_bytes({resources.MEMORY_LIMIT_ENV: "4GiB"}) == 4 * GIB
    assert resources.memory_limit_bytes({resources.MEMORY_LIMIT_ENV: "1.5 gb"}) == 1_500_000_000
    ram = resources.total_ram_bytes()
    assert resources.memory_limit_bytes({resources.MEMORY_LIMIT_ENV: "25%"}) == ram // 4


def test_a_small_limit_spills_instead_of_failing(tmp_path, monkeypatch):
    """A grouping larger than the limit finishes by spilling to the temp directory."""
    monkeypatch.setenv(resources.MEMORY_LIMIT_ENV, "64MB")
    monkeypatch.setenv(resources.THREADS_ENV, "1")
    path = tmp_path / "w.duckdb"
    ws = open_workspace(path, keep_lease=True)
    try:
        groups = ws.scalar("SELECT count(*) FROM (SELECT i, 'x' || i AS s, count(*) FROM range(3000000) t(i)"
                           " GROUP BY ALL)")
    finally:
        ws.release()
        close_workspace(path)
    assert groups == 3_000_000
