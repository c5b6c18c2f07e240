"""The Spark pipeline in local mode gives exactly the local engine's clusters.

Needs PySpark (`pip install -e ".[spark]"`) and Java 17; skipped without them, except where
REFUGE_REQUIRE_SPARK=1 (CI), where their absence fails the run."""

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from refuge.matching.dedupe import DedupeStats, dedupe_csv

ROOT = Path(__file__).resolve().parents[3]


def _spark_or_skip():
    missing = []
    if importlib.util.find_spec("pyspark") is None:
        missing.append("pyspark (pip install -e '.[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        missing.append("Java (apt-get install openjdk-17-jre-headless)")
    if missing:
        if os.environ.get("REFUGE_REQUIRE_SPARK") == "1":
            pytest.fail("missing: " + ", ".join(missing))
        pytest.skip("missing: " + ", ".join(missing))


def _read(path):
    return Path(path).read_text(encoding="utf-8").splitlines()


def test_spark_in_local_mode_gives_the_local_engines_clusters(tmp_path):
    _spark_or_skip()
    from refuge.matching.spark import dedupe_spark

    people = tmp_path / "people"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "synthetic.py"),
            "1500",
            "--seed",
            "9",
            "--out",
            people,
        ],
        check=True,
    )
    csv_path = f"{people}.csv"
    # A bad row and a repeated record_id: both engines leave out the same rows.
    with open(csv_path, "a", encoding="utf-8") as fh:
        fh.write("BAD-1,,Ahmad,Ali,Hassan,,x,1990,,,\n")
        first_id = _read(csv_path)[1].split(",")[0]
        fh.write(f"{first_id},,Other,Name,Here,,m,1990,,,\n")

    local_stats, spark_stats = DedupeStats(), DedupeStats()
    dedupe_csv(csv_path, tmp_path / "local.csv", progress=False, stats=local_stats)
    dedupe_spark(csv_path, tmp_path / "spark.csv", master="local[2]", stats=spark_stats)

    local, spark = _read(tmp_path / "local.csv"), _read(tmp_path / "spark.csv")
    assert spark == local
    assert local_stats.clusters < local_stats.records  # some registrations were merged
    assert (spark_stats.records, spark_stats.candidate_pairs, spark_stats.household_pairs) == (
        local_stats.records,
        local_stats.candidate_pairs,
        local_stats.household_pairs,
    )
    assert spark_stats.strong_links == local_stats.strong_links
    assert spark_stats.errors == 2
