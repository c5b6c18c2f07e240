"""Why true pairs were missed: each missed pair of a dedupe run, sorted into the kinds of miss
the independent evaluation named (issue 17), counted, and the false links counted too.

    python bench/miss_report.py bench/out/synth-100k.csv bench/out/synth-100k.truth.csv CLUSTERS

A pair can be of several kinds; each kind counts it once. "not blocked" means the two records
share no blocking key; "kept apart" that the pair scores as a match but the clustering did not
join it.

With `--by-level` each missed pair is also counted by the levels that fired (the codes of the
given name, family name, birth date and document, blocked or not, vetoed or not, scoring a match
or not), which is how the FEBRL misses were sorted (bench/README.md, 2026-12-02):

    python bench/miss_report.py bench/out/febrl3.csv bench/out/febrl3.truth.csv \
        bench/out/febrl3.refuge.clusters.csv --by-level 25
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from score import read_mapping  # noqa: E402

from refuge.matching.compare import (  # noqa: E402
    MATCH_THRESHOLD,
    NameFrequencies,
    PreparedRecord,
    compare_people,
)
from refuge.matching.dedupe import forget_family_documents, name_frequencies  # noqa: E402
from refuge.matching.keys import record_keys  # noqa: E402
from refuge.matching.records import read_exchange_csv  # noqa: E402


def miss_kinds(
    a: PreparedRecord,
    b: PreparedRecord,
    population: int,
    frequencies: NameFrequencies | None = None,
) -> list[str]:
    """The kinds of one missed pair, judged with the name frequencies the run used."""
    result = compare_people(a, b, population=population, frequencies=frequencies)
    codes = {r.field: r.code for r in result.reasons}
    kinds = []
    if not record_keys(a) & record_keys(b):
        kinds.append("not blocked")
    if codes.get("sex") == "disagree":
        kinds.append("sex differs")
    if codes.get("given_name") in ("disagree", "slip", "typo", "agree_weak", "distinct_names"):
        kinds.append("given name slip/typo")
    if any(codes.get(f) in ("disagree", "agree_weak") for f in ("father_name", "family_name")):
        kinds.append("other name typo")
    if codes.get("birth_date", "").startswith(("year_differs", "estimated", "year_off_by_two")):
        kinds.append("birth year off")
    if codes.get("birth_date") == "missing" or codes.get("father_name") == "missing":
        kinds.append("weak evidence (date or father missing)")
    if codes.get("origin") == "disagree":
        kinds.append("origin disagrees")
    raw = " ".join(
        (a.given.raw, b.given.raw, a.father.raw, b.father.raw, a.family.raw, b.family.raw)
    ).lower()
    if any(x in raw for x in ("mhd", "mohd", "мхд", "мух", "م.")):
        kinds.append("muhammad abbreviated")
    if "г" in raw:
        kinds.append("cyrillic g")
    if result.probability >= MATCH_THRESHOLD:
        kinds.append("kept apart (scores a match)")
    return kinds or ["other"]


def level_kind(
    a: PreparedRecord,
    b: PreparedRecord,
    population: int,
    frequencies: NameFrequencies | None = None,
) -> tuple[str, ...]:
    """The levels one missed pair reached: given, family, birth date, document, blocked,
    vetoed, scores a match."""
    result = compare_people(a, b, population=population, frequencies=frequencies)
    codes = {r.field: r.code for r in result.reasons}
    decisions = {r.code for r in result.reasons if r.field == "decision"}
    return (
        f"given={codes.get('given_name')}",
        f"family={codes.get('family_name')}",
        f"birth={codes.get('birth_date')}",
        f"document={codes.get('document_number')}",
        "blocked" if record_keys(a) & record_keys(b) else "not blocked",
        "vetoed" if "vetoed" in decisions else "not vetoed",
        "scores a match" if result.probability >= MATCH_THRESHOLD else "below threshold",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("truth")
    parser.add_argument("clusters")
    parser.add_argument("--examples", type=int, default=0, help="print this many missed pairs")
    parser.add_argument(
        "--by-level", type=int, default=0, help="print this many most common level combinations"
    )
    args = parser.parse_args(argv)
    records, _ = read_exchange_csv(args.input)
    truth = read_mapping(args.truth, "record_id", "person_id")
    predicted = read_mapping(args.clusters, "record_id", "cluster_id")
    prepared = {r.record_id: PreparedRecord(r) for r in records}
    by_id = {r.record_id: r for r in records}
    forget_family_documents(list(prepared.values()))
    freqs = name_frequencies(list(prepared.values()))
    by_person = defaultdict(list)
    for rid in prepared:
        by_person[truth[rid]].append(rid)
    kinds: Counter[str] = Counter()
    levels: Counter[tuple[str, ...]] = Counter()
    missed = 0
    shown = 0
    for rids in by_person.values():
        for x, y in combinations(rids, 2):
            if predicted[x] == predicted[y]:
                continue
            missed += 1
            ks = miss_kinds(prepared[x], prepared[y], len(prepared), freqs)
            kinds.update(ks)
            if args.by_level:
                levels[level_kind(prepared[x], prepared[y], len(prepared), freqs)] += 1
            if shown < args.examples:
                shown += 1
                a, b = by_id[x], by_id[y]
                print(ks, a, b, sep="\n  ")
    by_cluster = defaultdict(list)
    for rid in prepared:
        by_cluster[predicted[rid]].append(rid)
    false_links = sum(
        truth[x] != truth[y] for rids in by_cluster.values() for x, y in combinations(rids, 2)
    )
    print(f"missed true pairs: {missed}; false pairs linked: {false_links}")
    for kind, count in kinds.most_common():
        print(f"  {kind}: {count}")
    if args.by_level:
        print("by level:")
        for combination, count in levels.most_common(args.by_level):
            print(f"  {count}: {', '.join(combination)}")


if __name__ == "__main__":
    main()
