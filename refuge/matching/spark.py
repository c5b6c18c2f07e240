"""The deduplication pipeline on Apache Spark: `refuge dedupe FILE --engine spark --master URL`.

The same steps as `dedupe.dedupe_records`, each a Spark stage, with the same comparison code:

1. records are read, checked (`records.validate_record`, a repeated record_id keeps its first
   row) and numbered in file order; family documents (one number shared by two members of a
   household registration) are forgotten, as `dedupe.forget_family_documents` does;
2. name frequencies are counted by Spark and sent to every worker (`NameFrequencies`);
3. blocking is a join: every record's keys (`keys.record_key_pairs`, hashed as
   `dedupe._stable_hash` does) are ranked inside their key by the tie-break, and each record is
   joined to the next `dedupe.WINDOW` records of the key. A block of more than
   `dedupe.BLOCK_CAP` records is split by a second key exactly as `dedupe.candidate_pairs`
   splits it (birth-year bands for the undated keys, the mother's name for the dated ones,
   `dedupe.SPLIT_WINDOW` neighbours in a sub-block still too large, and the records without
   the second key windowed over the whole block), so both engines propose the same pairs;
4. pairs are scored in `mapInPandas` by `vectorised.score_pair_arrays`, the household pairs
   that blocking missed are added and scored the same way, and household support counted with
   joins;
5. strong links (`dedupe.link_probabilities`) are grouped into connected components, and each
   component is clustered by `cluster.constrained_clusters` in `applyInPandas`. Components are
   independent: the greedy merges of one never look at another, so clustering them one by one,
   strongest link first, gives the local engine's clusters exactly.

PySpark is an optional dependency (`pip install -e ".[spark]"`, Java 17 or later); see
docs/spark.md for a cluster.
"""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd

from refuge.matching.cluster import constrained_clusters
from refuge.matching.compare import (
    MATCH_THRESHOLD,
    NameFrequencies,
    PreparedRecord,
    given_family_combination,
    name_combination,
    prior_log_odds,
    score_pair,
)
from refuge.matching.dedupe import (
    BLOCK_CAP,
    COMPATIBLE_MARGIN,
    MAX_HOUSEHOLD,
    SPLIT_WINDOW,
    SUPPORT_LOG_ODDS,
    WINDOW,
    YEAR_BAND,
    DedupeStats,
    ScoredPairs,
    _stable_hash,
    link_probabilities,
)
from refuge.matching.keys import UNDATED_KEYS, record_key_pairs
from refuge.matching.records import PersonRecord, validate_record
from refuge.matching.vectorised import RecordArrays, score_pair_arrays

_FIELDS = [f.name for f in fields(PersonRecord)]
_BUCKETS = 16  # groups of connected components clustered by one Python call
_RECORD_SCHEMA = "idx long, " + ", ".join(f"{c} string" for c in _FIELDS)


def _record(row) -> PersonRecord:
    return PersonRecord(**{c: row[c] or "" for c in _FIELDS})


def _prepared(row) -> PreparedRecord:
    """The record of a row, normalised, with the document the run keeps for it."""
    p = PreparedRecord(_record(row))
    p.document = row["kept_document"] or ""
    return p


def local_driver_memory() -> str:
    """The JVM heap for local mode, where the executors run inside the driver: a quarter of
    the machine's memory, between 1 and 8 GiB (the Python workers need the rest; Spark's own
    default of 1 GiB is too small for the blocking joins at a million records)."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        physical = 4 << 30
    return f"{max(1, min(8, physical // 4 >> 30))}g"


def spark_session(
    master: str = "local[2]",
    app: str = "refuge-dedupe",
    *,
    shuffle_partitions: int = 8,
    driver_memory: str | None = None,
):
    """A Spark session for a run (the `--master` of `refuge dedupe --engine spark`).

    In local mode the driver's heap is `driver_memory` (default `local_driver_memory()`); on a
    cluster the driver and executors are sized by spark-submit, not here. A few thousand
    records need only 2 shuffle partitions: each partition is a task, and a task costs a
    Python worker round trip whatever its size."""
    from pyspark.sql import SparkSession

    # The workers run this interpreter (with numpy, pandas and this package), not the system's.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName(app)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if master.startswith("local"):
        builder = builder.config("spark.driver.memory", driver_memory or local_driver_memory())
    return builder.getOrCreate()


# --- stage functions (run on the workers) ---------------------------------------------------


def _clean(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Rows as `records.iter_exchange_csv` reads them: stripped, sex in lower case, problems
    flagged, and the normalised document and household of each."""
    for df in batches:
        out = {c: [] for c in ("idx", *_FIELDS, "ok", "document", "household")}
        for row in df.to_dict("records"):
            values = {c: (row.get(c) or "").strip() for c in _FIELDS}
            record = PersonRecord(**values)
            record.sex = record.sex.lower()
            prepared = PreparedRecord(record)
            out["idx"].append(row["idx"])
            for c in _FIELDS:
                out[c].append(getattr(record, c))
            out["ok"].append(not validate_record(record))
            out["document"].append(prepared.document)
            out["household"].append(
                f"{record.site}\x1f{record.household_ref}" if record.household_ref else None
            )
        yield pd.DataFrame(out)


def _name_counts(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for df in batches:
        skeletons, forms = [], []
        for row in df.to_dict("records"):
            p = _prepared(row)
            for name in (p.given, p.father, p.family, p.mother):
                if name:
                    skeletons.append(name.skeleton)
                    forms.append(name.key)
        yield pd.DataFrame({"skeleton": skeletons, "form": forms})


def _name_combinations(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    for df in batches:
        prepared = [_prepared(row) for row in df.to_dict("records")]
        combinations = [name_combination(p) for p in prepared]
        combinations += [given_family_combination(p) for p in prepared]
        yield pd.DataFrame({"combination": [c for c in combinations if c]})


_KEY_SCHEMA = "kh long, th long, yr long, idx long, undated boolean, mother long"


def _keys(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """Each record's blocking keys with what splitting an oversized block needs: whether the
    key carries no date, and the hash of the mother's given name (0 for none)."""
    for df in batches:
        kh, th, yr, ow, undated, mother = [], [], [], [], [], []
        for row in df.to_dict("records"):
            p = _prepared(row)
            y = p.birth.year if p.birth else 0
            m = _stable_hash(p.mother.tokens[0].skel) if p.mother.tokens else 0
            for key, tie in record_key_pairs(p):
                kh.append(_stable_hash(key))
                th.append(_stable_hash(tie))
                yr.append(y)
                ow.append(row["idx"])
                undated.append(key.startswith(UNDATED_KEYS))
                mother.append(m)
        yield pd.DataFrame(
            {
                "kh": pd.Series(kh, dtype="int64"),
                "th": pd.Series(th, dtype="int64"),
                "yr": pd.Series(yr, dtype="int64"),
                "idx": pd.Series(ow, dtype="int64"),
                "undated": pd.Series(undated, dtype=bool),
                "mother": pd.Series(mother, dtype="int64"),
            }
        )


def _scorer(freqs: NameFrequencies | None, prior: float):
    def score(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for df in batches:
            left_rows = df[["i"] + [f"l_{c}" for c in (*_FIELDS, "kept_document")]]
            right_rows = df[["j"] + [f"r_{c}" for c in (*_FIELDS, "kept_document")]]
            left_rows.columns = right_rows.columns = ["idx", *_FIELDS, "kept_document"]
            rows = pd.concat((left_rows, right_rows)).drop_duplicates("idx")
            position = {int(x): k for k, x in enumerate(rows["idx"].tolist())}
            prepared = [_prepared(r) for r in rows.to_dict("records")]
            i = np.array([position[int(x)] for x in df["i"].tolist()], dtype=np.int64)
            j = np.array([position[int(x)] for x in df["j"].tolist()], dtype=np.int64)
            totals, flags = score_pair_arrays(RecordArrays(prepared, freqs), i, j, prior)
            yield pd.DataFrame(
                {"i": df["i"], "j": df["j"], "total": totals, "flags": flags.astype(np.int32)}
            )

    return score


def _linker(prior: float, threshold: float):
    def link(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for df in batches:
            scored = ScoredPairs(
                df["i"].to_numpy(),
                df["j"].to_numpy(),
                df["total"].to_numpy(dtype=np.float32),
                df["flags"].to_numpy(dtype=np.int8),
                df["support"].to_numpy(dtype=np.int32),
            )
            boosted, prob = link_probabilities(scored, prior)
            strong = (prob >= threshold) & ~df["same_household"].to_numpy(dtype=bool)
            yield pd.DataFrame(
                {
                    "i": df["i"][strong],
                    "j": df["j"][strong],
                    "strength": boosted[strong],
                    "extra": df["extra"][strong],
                }
            )

    return link


def _cluster_component(
    df: pd.DataFrame, freqs: NameFrequencies | None, prior: float, floor: float
) -> pd.DataFrame:
    records = df[df["kind"] == "record"].drop_duplicates("idx")
    edges = df[df["kind"] == "edge"]
    ids = records["idx"].astype(np.int64).to_numpy()
    position = {int(x): k for k, x in enumerate(ids.tolist())}
    prepared = [_prepared(r) for r in records.to_dict("records")]
    hh = records["household"].tolist()
    # The local engine's order of links: strongest first, ties in the order the pairs were
    # made (candidate pairs by record numbers, then the household pairs).
    edges = edges.sort_values(["strength", "extra", "i", "j"], ascending=[False, True, True, True])
    left = np.array([position[int(x)] for x in edges["i"].tolist()], dtype=np.int64)
    right = np.array([position[int(x)] for x in edges["j"].tolist()], dtype=np.int64)
    rank = np.arange(len(left), 0, -1, dtype=np.float64)  # already in order

    def compatible(x: int, y: int) -> bool:
        if hh[x] is not None and hh[x] == hh[y]:
            return False
        total, veto, _cap = score_pair(prepared[x], prepared[y], freqs, prior)
        return not veto and total >= floor

    labels = constrained_clusters(len(ids), left, right, rank, compatible)
    return pd.DataFrame({"idx": ids, "label": ids[labels]})


def _clusterer(freqs: NameFrequencies | None, prior: float):
    floor = prior + COMPATIBLE_MARGIN

    def cluster(df: pd.DataFrame) -> pd.DataFrame:
        # One group holds many components (a Python call per component would cost more than
        # clustering it); each is clustered on its own, as the local engine's merges are.
        out = [
            _cluster_component(part, freqs, prior, floor) for _c, part in df.groupby("component")
        ]
        return pd.concat(out) if out else pd.DataFrame({"idx": [], "label": []})

    return cluster


# --- the pipeline ---------------------------------------------------------------------------


def dedupe_spark(
    in_path: str,
    out_path: str | Path,
    *,
    master: str = "local[2]",
    spark=None,
    stats: DedupeStats | None = None,
    link_threshold: float = MATCH_THRESHOLD,
) -> DedupeStats:
    """Deduplicate an exchange CSV on Spark into `record_id,cluster_id` rows (the local engine's
    output, row for row). `in_path` may be any path Spark reads (a cluster's HDFS or S3)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    stats = stats if stats is not None else DedupeStats()
    spark = spark or spark_session(master)
    raw = spark.read.csv(in_path, header=True, multiLine=True, escape='"', encoding="UTF-8")
    for c in _FIELDS:
        if c not in raw.columns:
            raw = raw.withColumn(c, F.lit(""))
    # File order: the local engine numbers records as it reads them.
    numbered = raw.select(*_FIELDS).rdd.zipWithIndex().map(lambda t: (t[1], *t[0]))
    rows = spark.createDataFrame(numbered, _RECORD_SCHEMA)
    clean_schema = _RECORD_SCHEMA + ", ok boolean, document string, household string"
    cleaned = rows.mapInPandas(_clean, clean_schema).where("ok")
    first = Window.partitionBy("record_id").orderBy("idx")
    cleaned = cleaned.withColumn("nth", F.row_number().over(first)).where("nth = 1")
    family_document = Window.partitionBy("household", "document")
    records = (
        cleaned.withColumn(
            "kept_document",
            F.when(
                F.col("household").isNotNull()
                & (F.col("document") != "")
                & (F.count("*").over(family_document) > 1),
                F.lit(""),
            ).otherwise(F.col("document")),
        )
        .drop("ok", "nth", "document")
        .cache()
    )
    # Records are renumbered 0..n-1 in file order, as the local engine's list positions.
    order = Window.orderBy("idx")
    records = records.withColumn("idx", F.row_number().over(order) - 1).cache()
    n = records.count()
    stats.records = n
    prior = prior_log_odds(n)

    counts = records.mapInPandas(_name_counts, "skeleton string, form string")
    total = counts.count()
    skeletons = {r["skeleton"]: r["count"] for r in counts.groupBy("skeleton").count().collect()}
    forms = {r["form"]: r["count"] for r in counts.groupBy("form").count().collect()}
    combined = records.mapInPandas(_name_combinations, "combination string")
    combinations = {
        r["combination"]: r["count"] for r in combined.groupBy("combination").count().collect()
    }
    freqs = NameFrequencies(max(total // 4, 1), skeletons, forms, combinations=combinations)

    keys = records.mapInPandas(_keys, _KEY_SCHEMA)
    # Checkpointed: the plan of the blocking joins, repeated in every later stage's plan, made
    # the driver run out of memory describing the plan of the household stages.
    candidates = _candidate_pairs(keys).localCheckpoint()
    stats.candidate_pairs = candidates.count()

    fields_of = records.select("idx", *_FIELDS, "kept_document")
    score = _scorer(freqs, prior)
    pair_schema = "i long, j long, total float, flags int"

    def scored_pairs(pairs):
        left_side = fields_of.select(
            F.col("idx").alias("i"),
            *[F.col(c).alias(f"l_{c}") for c in (*_FIELDS, "kept_document")],
        )
        right_side = fields_of.select(
            F.col("idx").alias("j"),
            *[F.col(c).alias(f"r_{c}") for c in (*_FIELDS, "kept_document")],
        )
        return pairs.join(left_side, "i").join(right_side, "j").mapInPandas(score, pair_schema)

    scored = scored_pairs(candidates).withColumn("extra", F.lit(0)).cache()
    households = records.select("idx", "household")
    with_households = _with_households(scored, households)

    # Household pairs: members of two households already linked by a member pair.
    linked = (
        with_households.where(
            "ha IS NOT NULL AND hb IS NOT NULL AND ha != hb "
            f"AND total >= {SUPPORT_LOG_ODDS} AND (flags & 1) = 0"
        )
        .select(F.least("ha", "hb").alias("h1"), F.greatest("ha", "hb").alias("h2"))
        .distinct()
    )
    sizes = households.where("household IS NOT NULL").groupBy("household").count()
    small = sizes.where(f"count <= {MAX_HOUSEHOLD}").select("household")
    members = households.join(small, "household")
    m1 = members.select(F.col("household").alias("h1"), F.col("idx").alias("x"))
    m2 = members.select(F.col("household").alias("h2"), F.col("idx").alias("y"))
    extra = (
        linked.join(m1, "h1")
        .join(m2, "h2")
        .select(F.least("x", "y").alias("i"), F.greatest("x", "y").alias("j"))
        .distinct()
        .join(candidates, ["i", "j"], "left_anti")
        .cache()
    )
    stats.household_pairs = extra.count()
    all_scored = scored.unionByName(scored_pairs(extra).withColumn("extra", F.lit(1)))
    all_scored = _with_households(all_scored, households).cache()

    # Household support: other member pairs of the same two households that look alike.
    supporting = (
        all_scored.where(
            "ha IS NOT NULL AND hb IS NOT NULL AND ha != hb "
            f"AND total >= {SUPPORT_LOG_ODDS} AND (flags & 1) = 0"
        )
        .groupBy(F.least("ha", "hb").alias("h1"), F.greatest("ha", "hb").alias("h2"))
        .count()
    )
    own = ((F.col("total") >= SUPPORT_LOG_ODDS) & (F.col("flags").bitwiseAND(1) == 0)).cast("int")
    with_support = (
        all_scored.withColumn("h1", F.least("ha", "hb"))
        .withColumn("h2", F.greatest("ha", "hb"))
        .join(supporting, ["h1", "h2"], "left")
        .withColumn(
            "support",
            F.when(
                F.col("ha").isNotNull() & F.col("hb").isNotNull() & (F.col("ha") != F.col("hb")),
                F.coalesce(F.col("count"), F.lit(0)) - own,
            ).otherwise(F.lit(0)),
        )
        .withColumn(
            "same_household",
            F.col("ha").isNotNull() & (F.col("ha") == F.col("hb")),
        )
    )
    strong = (
        with_support.select("i", "j", "total", "flags", "support", "same_household", "extra")
        .mapInPandas(_linker(prior, link_threshold), "i long, j long, strength float, extra int")
        .cache()
    )
    stats.strong_links = strong.count()

    # Connected components of the strong links, on the driver: they are about one link per
    # record (docs/spark.md says what to use beyond that).
    edges = strong.select("i", "j").toPandas()
    component = _components(n, edges["i"].to_numpy(), edges["j"].to_numpy())
    # Only records with a strong link need clustering; the others are people of their own.
    linked_records = np.unique(np.concatenate((edges["i"].to_numpy(), edges["j"].to_numpy())))
    comp_rows = spark.createDataFrame(
        pd.DataFrame(
            {
                "idx": linked_records.astype(np.int64),
                "component": component[linked_records],
                "bucket": component[linked_records] % _BUCKETS,
            }
        ),
        "idx long, component long, bucket long",
    )
    grouped_records = (
        records.join(comp_rows, "idx")
        .withColumn("kind", F.lit("record"))
        .withColumn("i", F.lit(None).cast("long"))
        .withColumn("j", F.lit(None).cast("long"))
        .withColumn("strength", F.lit(None).cast("float"))
        .withColumn("extra", F.lit(None).cast("int"))
    )
    grouped_edges = strong.join(comp_rows.withColumnRenamed("idx", "i"), "i").withColumn(
        "kind", F.lit("edge")
    )
    for c in ("idx", *_FIELDS, "kept_document", "household"):
        if c not in grouped_edges.columns:
            grouped_edges = grouped_edges.withColumn(
                c, F.lit(None).cast("long" if c == "idx" else "string")
            )
    union = grouped_records.unionByName(grouped_edges.select(*grouped_records.columns))
    labels = union.groupBy("bucket").applyInPandas(_clusterer(freqs, prior), "idx long, label long")
    result = (
        records.select("idx", "record_id")
        .join(labels, "idx", "left")
        .withColumn("label", F.coalesce("label", "idx"))
        .orderBy("idx")
        .select("record_id", "label")
    )
    clusters = set()
    with open(out_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("record_id", "cluster_id"))
        for row in result.toLocalIterator():
            writer.writerow((row["record_id"], f"C{row['label']:09d}"))
            clusters.add(row["label"])
    stats.clusters = len(clusters)
    stats.errors = rows.count() - n
    return stats


def _window_join(entries, block, window: int, keep: str | None = None):
    """Blocking as a join: entries ranked inside their block (the columns `block`) by
    tie-break, birth year and record number (the local engine's sort), each joined to the next
    `window` of its block; with `keep`, only pairs where that column is true on one side."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = Window.partitionBy(*block).orderBy("th", "yr", "idx")
    ranked = entries.withColumn("rn", F.row_number().over(order))
    a, b = ranked.alias("a"), ranked.alias("b")
    same = [F.col(f"a.{c}") == F.col(f"b.{c}") for c in block]
    condition = (F.col("b.rn") > F.col("a.rn")) & (F.col("b.rn") <= F.col("a.rn") + window)
    for c in same:
        condition = condition & c
    joined = a.join(b, condition)
    if keep is not None:
        joined = joined.where(F.col(f"a.{keep}") | F.col(f"b.{keep}"))
    return joined.select(
        F.least("a.idx", "b.idx").alias("i"), F.greatest("a.idx", "b.idx").alias("j")
    )


def _candidate_pairs(keys):
    """`dedupe.candidate_pairs` as joins: a block of at most BLOCK_CAP entries is windowed
    over WINDOW neighbours; a larger one is split by a second key (`dedupe._sub_keys`: two
    overlapping birth-year bands for an undated key, the mother's name for a dated one), each
    sub-block windowed over WINDOW neighbours if it fits in BLOCK_CAP and over SPLIT_WINDOW
    otherwise, and the entries without the second key meet their SPLIT_WINDOW next ones of
    the whole block."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    sized = keys.withColumn("size", F.count("*").over(Window.partitionBy("kh"))).cache()
    small = sized.where(F.col("size") <= BLOCK_CAP)
    big = sized.where(F.col("size") > BLOCK_CAP)
    dated_entry = F.col("undated") & (F.col("yr") > 0)
    by_mother = ~F.col("undated") & (F.col("mother") != 0)
    dated = big.where(dated_entry)
    half = YEAR_BAND // 2
    # The local engine's sub-block numbers inside one key (undated keys have only bands,
    # dated ones only mothers, so the two never meet in one key).
    subs = (
        dated.withColumn("sub", F.expr(f"(yr div {YEAR_BAND}) * 2"))
        .unionByName(dated.withColumn("sub", F.expr(f"((yr + {half}) div {YEAR_BAND}) * 2 + 1")))
        .unionByName(
            big.where(by_mother).withColumn("sub", F.col("mother").bitwiseAND((1 << 31) - 1))
        )
        .select("kh", "sub", "th", "yr", "idx")
    )
    subs = subs.withColumn("sub_size", F.count("*").over(Window.partitionBy("kh", "sub"))).cache()
    without = big.withColumn("without", ~(dated_entry | by_mother))
    pairs = (
        _window_join(small, ["kh"], WINDOW)
        .unionByName(
            _window_join(subs.where(F.col("sub_size") <= BLOCK_CAP), ["kh", "sub"], WINDOW)
        )
        .unionByName(
            _window_join(subs.where(F.col("sub_size") > BLOCK_CAP), ["kh", "sub"], SPLIT_WINDOW)
        )
        .unionByName(_window_join(without, ["kh"], SPLIT_WINDOW, keep="without"))
    )
    return pairs.where("i != j").distinct()


def _with_households(pairs, households):
    from pyspark.sql import functions as F

    ha = households.select(F.col("idx").alias("i"), F.col("household").alias("ha"))
    hb = households.select(F.col("idx").alias("j"), F.col("household").alias("hb"))
    return pairs.join(ha, "i").join(hb, "j")


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """A component number per record (the smallest record number in it)."""
    parent = np.arange(n, dtype=np.int64)

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for x, y in zip(left.tolist(), right.tolist(), strict=True):
        rx, ry = find(x), find(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return np.fromiter((find(x) for x in range(n)), dtype=np.int64, count=n)
