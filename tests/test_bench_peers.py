"""The deduplication benchmark's Splink peer is given the engine's own blocks
(bench/dedupe_benchmark.py `_engine_blocks`): the pairs it compares are the engine's
candidate pairs, so a difference in the table is the model's, not the blocking's."""

import subprocess
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest

from refuge.matching.compare import PreparedRecord
from refuge.matching.dedupe import candidate_pairs
from refuge.matching.records import iter_exchange_csv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from dedupe_benchmark import _engine_blocks  # noqa: E402


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """Registrations by the benchmark's clerks, on a seed the benchmark does not report."""
    out = tmp_path_factory.mktemp("synthetic") / "people"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "synthetic.py"), "1500", "--seed", "7", "--out", out],
        check=True,
    )
    return [PreparedRecord(r) for r in iter_exchange_csv(f"{out}.csv", [])]


def _sharing_a_block(blocks: list[list[str]]) -> set[tuple[int, int]]:
    members = defaultdict(set)
    for i, keys in enumerate(blocks):
        for key in keys:
            members[key].add(i)
    return {pair for ids in members.values() for pair in combinations(sorted(ids), 2)}


def _engine_pairs(prepared, block_cap: int) -> set[tuple[int, int]]:
    left, right = candidate_pairs(prepared, block_cap=block_cap)
    return set(zip(left.tolist(), right.tolist(), strict=True))


def test_without_oversized_blocks_the_peer_compares_exactly_the_engines_pairs(prepared):
    cap = 10**6
    assert _sharing_a_block(_engine_blocks(prepared, block_cap=cap)) == _engine_pairs(prepared, cap)


def test_oversized_blocks_are_split_by_the_engines_second_key(prepared):
    cap = 4
    engine = _engine_pairs(prepared, cap)
    peer = _sharing_a_block(_engine_blocks(prepared, block_cap=cap))
    whole = _sharing_a_block(_engine_blocks(prepared, block_cap=10**6))
    assert len(peer) < len(whole)  # the split happened
    # Records with a birth year and a mother's name have the second key of every key they carry:
    # every pair of two of them that the engine compares, the peer compares too.
    complete = {i for i, p in enumerate(prepared) if p.birth and p.mother.tokens}
    both = {(i, j) for i, j in engine if i in complete and j in complete}
    assert both and both <= peer
