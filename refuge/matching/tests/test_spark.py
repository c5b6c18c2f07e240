"""The Spark pipeline in local mode gives exactly the local engine's clusters.

Needs PySpark (`pip install -e ".[spark]"`) and Java 17; skipped without them, except where
REFUGE_REQUIRE_SPARK=1 (CI), where their absence fails the run."""

import importlib.util
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from refuge.matching.compare import PreparedRecord
from refuge.matching.dedupe import (
    BLOCK_CAP,
    DedupeStats,
    candidate_pairs,
    dedupe_csv,
    forget_family_documents,
)
from refuge.matching.keys import record_key_pairs
from refuge.matching.records import read_exchange_csv

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


MOTHERS = ("Fatima", "Zainab", "Maryam", "Huda", "Amina", "Rasha", "Salma", "Nour", "Hiba", "")


def _crowd_rows(count: int) -> list[str]:
    """Registrations of `count` namesakes (one common given, father's and family name): half
    born in one year, the others over seventy years, a tenth without a mother's name and every
    seventh without a birth date, so their blocks exceed BLOCK_CAP and are split both by birth
    year and by mother's name, with records that have neither second key; every fifth is
    registered twice."""
    rows = []
    for k in range(count):
        year = "" if k % 7 == 3 else str(1980 if k % 2 else 1940 + k % 70)
        row = f"CROWD-{k},,Mohammed,Ali,Hassan,{MOTHERS[k % len(MOTHERS)]},m,{year},,,crowd"
        rows.append(row)
        if k % 5 == 0:
            rows.append(row.replace(f"CROWD-{k},", f"CROWD-{k}-again,").replace("Hassan", "Hasan"))
    return rows


@pytest.fixture(scope="module")
def spark():
    """One session for the module, with 2 shuffle partitions: at a few thousand records every
    extra partition is only another task's fixed cost (a Python worker round trip per stage)."""
    _spark_or_skip()
    from refuge.matching.spark import spark_session

    session = spark_session("local[2]", shuffle_partitions=2, driver_memory="1g")
    yield session
    session.stop()


def test_spark_in_local_mode_gives_the_local_engines_clusters(tmp_path, spark):
    from refuge.matching.spark import dedupe_spark

    people = tmp_path / "people"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "synthetic.py"),
            "600",
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
        # With the generator's line ending: Spark's CSV reader takes the first line's ending
        # for every row, and a bare newline after a non-empty last field would join two rows.
        fh.write("".join(f"{row}\r\n" for row in _crowd_rows(100)))
    # The crowd's blocks are oversized: the local engine splits them, and proposes other pairs
    # than a window over the whole block would (what the Spark join did before it split).
    records, _errors = read_exchange_csv(csv_path)
    prepared = [PreparedRecord(r) for r in records]
    forget_family_documents(prepared)
    split = candidate_pairs(prepared)
    unsplit = candidate_pairs(prepared, block_cap=len(prepared))
    assert len(split[0]) != len(unsplit[0])
    block_sizes = Counter(key for p in prepared for key, _tie in record_key_pairs(p))
    assert max(block_sizes.values()) > BLOCK_CAP

    local_stats, spark_stats = DedupeStats(), DedupeStats()
    dedupe_csv(csv_path, tmp_path / "local.csv", progress=False, stats=local_stats)
    dedupe_spark(csv_path, tmp_path / "spark.csv", spark=spark, stats=spark_stats)

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
