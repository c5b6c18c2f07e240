"""What the data would teach the engine: EM's m, u and weight for every comparison level of one
file, beside the share of matches among candidate pairs (see `refuge.matching.learn`).

    python bench/learn_weights.py bench/out/synth-100k.csv
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from refuge.matching.compare import PreparedRecord, prior_log_odds  # noqa: E402
from refuge.matching.dedupe import (  # noqa: E402
    candidate_pairs,
    forget_family_documents,
    name_frequencies,
)
from refuge.matching.learn import estimate_model  # noqa: E402
from refuge.matching.records import read_exchange_csv  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("--sample", type=int, default=20_000, help="candidate pairs for EM")
    args = parser.parse_args(argv)
    records, _ = read_exchange_csv(args.input)
    prepared = [PreparedRecord(r) for r in records]
    forget_family_documents(prepared)
    freqs = name_frequencies(prepared)
    left, right = candidate_pairs(prepared)
    started = time.monotonic()
    model = estimate_model(
        prepared, left, right, freqs, prior_log_odds(len(prepared)), sample=args.sample
    )
    print(
        f"{len(prepared)} records, {len(left)} candidate pairs, EM on {model.sample_pairs} in "
        f"{model.iterations} iterations ({time.monotonic() - started:.0f} s); share of matches "
        f"{model.match_share:.3f}"
    )
    print("| field | level | m | u | weight |\n|---|---|---:|---:|---:|")
    for field, level, m, u, weight in model.table():
        print(f"| {field} | {level} | {m:.4f} | {u:.5f} | {weight:+.2f} |")


if __name__ == "__main__":
    main()
