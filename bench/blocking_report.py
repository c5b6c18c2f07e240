"""Blocking at scale: block sizes and pairs per kind of key, candidate pairs per record, and
pairs-completeness (the share of true pairs that blocking proposes) of a synthetic file.

    python bench/blocking_report.py bench/out/synth-1m.csv bench/out/synth-1m.truth.csv

"full pairs" are the pairs of comparing each block in full; "windowed" those of the sliding
window of `dedupe.WINDOW` neighbours over the whole block (blocking before oversized blocks were
split). The candidate pairs are the engine's own (`dedupe.candidate_pairs`), before the
household pairs that a run adds.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from score import read_mapping  # noqa: E402

from refuge.matching.compare import PreparedRecord  # noqa: E402
from refuge.matching.dedupe import (  # noqa: E402
    BLOCK_CAP,
    WINDOW,
    candidate_pairs,
    forget_family_documents,
)
from refuge.matching.keys import record_key_pairs  # noqa: E402
from refuge.matching.records import iter_exchange_csv  # noqa: E402


def true_pair_codes(person: np.ndarray) -> np.ndarray:
    """Codes i * n + j (i < j) of the record pairs of one person."""
    n = len(person)
    order = np.argsort(person, kind="stable")
    bounds = np.flatnonzero(np.diff(person[order])) + 1
    codes = []
    for group in np.split(order, bounds):
        if len(group) > 1:
            g = np.sort(group)
            codes.extend(
                int(g[a]) * n + int(g[b]) for a in range(len(g)) for b in range(a + 1, len(g))
            )
    return np.array(codes, dtype=np.int64)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("truth")
    args = parser.parse_args(argv)
    started = time.process_time()
    prepared = [PreparedRecord(r) for r in iter_exchange_csv(args.input, [])]
    forget_family_documents(prepared)
    n = len(prepared)
    blocks: dict[str, int] = defaultdict(int)
    for p in prepared:
        for key, _tie in record_key_pairs(p):
            blocks[key] += 1
    sizes_by_kind: dict[str, list[int]] = defaultdict(list)
    for key, size in blocks.items():
        sizes_by_kind[key.split(":")[0]].append(size)
    del blocks
    print(f"{n} records; blocks larger than {BLOCK_CAP} are split (window {WINDOW})")
    print("| key | blocks | largest | p99 | > 40 | > 200 | full pairs | windowed pairs |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for kind, sizes in sorted(sizes_by_kind.items()):
        s = np.array(sizes, dtype=np.int64)
        w = np.minimum(s - 1, WINDOW)
        print(
            f"| {kind} | {len(s):,} | {s.max():,} | {int(np.percentile(s, 99))} | "
            f"{(s > 40).sum():,} | {(s > 200).sum():,} | {int((s * (s - 1) // 2).sum()):,} | "
            f"{int((s * w - w * (w + 1) // 2).sum()):,} |"
        )
    left, right = candidate_pairs(prepared)
    truth = read_mapping(args.truth, "record_id", "person_id")
    person = np.array([int(truth[p.record_id]) for p in prepared], dtype=np.int64)
    true = true_pair_codes(person)
    found = np.isin(true, left.astype(np.int64) * n + right)
    print(
        f"candidate pairs {len(left):,} ({len(left) / n:.2f} per record); true pairs "
        f"{len(true):,}, proposed {int(found.sum()):,}: pairs-completeness {found.mean():.4f} "
        f"({time.process_time() - started:.0f} CPU s)"
    )


if __name__ == "__main__":
    main()
