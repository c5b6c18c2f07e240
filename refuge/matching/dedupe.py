"""Batch deduplication: blocking -> comparison -> household evidence -> clustering.

Built to run a million registrations on a small machine: records are normalised once (names
through a cache, so each distinct spelling is worked out once), blocking keys are hashed into
integer arrays and candidate pairs generated with numpy (sorted-neighbourhood windows inside very
large blocks), pairs are scored over arrays by `vectorised.score_pair_arrays` (the same figures
as the `score_pair` of the interactive comparison, which scores them one by one when asked), and
only strong links are kept for clustering.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import sys
from array import array
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from hashlib import blake2b
from itertools import chain
from pathlib import Path

import numpy as np
from tqdm import tqdm

from refuge.matching.cluster import constrained_clusters
from refuge.matching.compare import (
    MATCH_THRESHOLD,
    POSSIBLE_THRESHOLD,
    FieldWeights,
    NameFrequencies,
    PreparedRecord,
    given_family_combination,
    household_weight,
    name_combination,
    prior_log_odds,
    score_pair,
)
from refuge.matching.keys import UNDATED_KEYS, record_key_pairs
from refuge.matching.learn import LearnedFieldWeights, learn_field_weights
from refuge.matching.records import PersonRecord, RowError, iter_exchange_csv, write_clusters_csv
from refuge.matching.vectorised import RecordArrays, score_pair_arrays

WINDOW = 40  # neighbours per record inside one block (see candidate_pairs)
BLOCK_CAP = 40  # a larger block is split by a second key (see candidate_pairs)
SPLIT_WINDOW = 10  # neighbours per record inside a sub-block still larger than BLOCK_CAP
YEAR_BAND = 6  # years per band when an undated key's block is split by birth year
COMPATIBLE_MARGIN = 4.0
SUPPORT_LOG_ODDS = 0.0  # a member pair at even odds or better supports its households
_CHUNK = 200_000
_PAIR_RANGES = 16
# Fewer pairs than this are scored in one process: forking costs more than it saves.
PARALLEL_PAIRS = 2_000_000
# Whether a run learns the weights of sex, birth date, origin and document from its own
# candidate pairs (`learn.learn_field_weights`) or uses the hand-set ones; see bench/README.md.
LEARN_WEIGHTS = False
MAX_HOUSEHOLD = 20  # larger "households" are data errors; their members are not cross-paired


@dataclass
class DedupeStats:
    """What a run did, for logs and benchmarks."""

    records: int = 0
    candidate_pairs: int = 0
    household_pairs: int = 0
    strong_links: int = 0
    clusters: int = 0
    errors: int = 0
    # The weights of sex, birth date, origin and document learned for the run (None: hand-set).
    model: LearnedFieldWeights | None = field(default=None, repr=False)


def name_frequencies(prepared: list[PreparedRecord]) -> NameFrequencies:
    """Name frequencies over all name fields of the records (u-probabilities for weights)."""
    # Counted per name object first (one object per distinct spelling, see normalise_name),
    # then per skeleton and form: the same counts, in the same first-seen order, with a dict
    # update per distinct spelling instead of per name of every record.
    spellings = Counter(
        chain.from_iterable((p.given, p.father, p.family, p.mother) for p in prepared)
    )
    skel: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    combinations: Counter[str] = Counter()
    total = 0
    for name, count in spellings.items():
        if name:
            skel[name.skeleton] += count
            forms[name.key] += count
            total += count
    combinations.update(c for c in map(name_combination, prepared) if c)
    combinations.update(c for c in map(given_family_combination, prepared) if c)
    return NameFrequencies(
        max(total // 4, 1), dict(skel), dict(forms), combinations=dict(combinations)
    )


def forget_family_documents(prepared: list[PreparedRecord]) -> None:
    """Drop document numbers that two members of one household registration share (a family
    booklet): they say which family, not which person, and a personal document is strong enough
    evidence to overrule a differing given name (see `score_pair`)."""
    seen: Counter[tuple[tuple[str, str], str]] = Counter(
        (p.household, p.document) for p in prepared if p.household and p.document
    )
    for p in prepared:
        if p.household and p.document and seen[(p.household, p.document)] > 1:
            p.document = ""


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values, as `np.unique(values)` gives them, by sorting. numpy 2.4's
    `np.unique` without `return_*` arguments goes through a hash table, which on tens of
    millions of pair codes was about fifty times slower than a sort (a third of a 1M run)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    first = np.empty(len(ordered), dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    return ordered[first]


def _stable_hash(text: str) -> int:
    # Python's hash() of a string changes from one process to the next, and with it the order
    # inside large blocks: the same file must give the same clusters on every run.
    return int.from_bytes(blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


def candidate_pairs(
    prepared: list[PreparedRecord], *, block_cap: int = BLOCK_CAP
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of record indices (i < j) that share a blocking key.

    A block of at most `block_cap` records is compared in full. A larger one (a common name:
    its size grows with the population, and its pairs with the square of it) is split by a
    second key, so that the pairs per record stay about the same at a million as at a hundred
    thousand (see `_sub_keys`). Inside a block or a sub-block records are sorted by the key's
    tie-break (the field it leaves out) and birth year, and each is paired with its next
    neighbours: all of them in a block or sub-block of at most `block_cap`, its `SPLIT_WINDOW`
    next ones in a sub-block that is still larger (in that order the same person's other
    registration is next to it, with the same tie-break and a close year). A record without the
    second key (no birth year, no mother's name) stays in the whole block and meets its
    `SPLIT_WINDOW` next ones there.
    """
    key_code = array("q")
    tie_hash = array("q")
    owner = array("l")
    undated = array("b")
    # Records sharing a key need only share its number: each distinct key is numbered once in a
    # dict (hashing every one of ten million keys with blake2b cost more than the rest of the
    # blocking). Inside a key, the order is that of the tie-break's stable hash, so the pairs do
    # not depend on the numbering. Tie-breaks are names and mothers' names, a few thousand
    # distinct ones for a million keys: each is hashed once.
    key_codes: dict[str, int] = {}
    tie_hashes: dict[str, int] = {}
    mother_hash = np.zeros(len(prepared), dtype=np.int64)
    # Bound once: this loop runs for every one of some ten million keys at a million records.
    code_of, hash_of = key_codes.get, tie_hashes.get
    add_code, add_tie, add_owner, add_undated = (
        key_code.append,
        tie_hash.append,
        owner.append,
        undated.append,
    )
    for i, p in enumerate(prepared):
        if p.mother.tokens:
            mother = p.mother.tokens[0].skel
            m_value = hash_of(mother)
            if m_value is None:
                m_value = tie_hashes[mother] = _stable_hash(mother)
            mother_hash[i] = m_value
        for key, tie in record_key_pairs(p):
            code = code_of(key)
            if code is None:
                code = key_codes[key] = len(key_codes)
            add_code(code)
            th_value = hash_of(tie)
            if th_value is None:
                th_value = tie_hashes[tie] = _stable_hash(tie)
            add_tie(th_value)
            add_owner(i)
            add_undated(key.startswith(UNDATED_KEYS))
    del key_codes, tie_hashes, code_of, hash_of
    birth_year = np.array([p.birth.year if p.birth else 0 for p in prepared], dtype=np.int64)
    kh = np.frombuffer(key_code, dtype=np.int64)
    th = np.frombuffer(tie_hash, dtype=np.int64)
    ow = np.frombuffer(owner, dtype=np.int64)
    ud = np.frombuffer(undated, dtype=np.int8).astype(bool)
    n = len(prepared)
    big = np.bincount(kh)[kh] > block_cap if len(kh) else np.zeros(0, dtype=bool)
    pieces: list[list[np.ndarray]] = [[] for _ in range(_PAIR_RANGES)]
    small = ~big
    _window_pairs(kh[small], th[small], birth_year[ow[small]], ow[small], n, pieces)
    if big.any():
        kb, tb, ob, ub = kh[big], th[big], ow[big], ud[big]
        sub_kh, sub_th, sub_ow, without = _sub_keys(kb, tb, ob, ub, birth_year, mother_hash)
        _, sub_code, sub_size = np.unique(sub_kh, return_inverse=True, return_counts=True)
        fits = sub_size[sub_code] <= block_cap
        for part, window in ((fits, WINDOW), (~fits, SPLIT_WINDOW)):
            sk, st, so = sub_kh[part], sub_th[part], sub_ow[part]
            _window_pairs(sk, st, birth_year[so], so, n, pieces, window=window)
        del sub_kh, sub_th, sub_ow, sub_code, fits
        _window_pairs(kb, tb, birth_year[ob], ob, n, pieces, keep=without, window=SPLIT_WINDOW)
    del kh, th, ow, ud, big
    ranges = [_sorted_unique(np.concatenate(p)) for p in pieces if p]
    if not ranges:
        empty = np.empty(0, dtype=np.int32)
        return empty, empty
    allc = np.concatenate(ranges)
    del ranges, pieces
    return (allc // n).astype(np.int32), (allc % n).astype(np.int32)


def _sub_keys(
    kh: np.ndarray,
    th: np.ndarray,
    ow: np.ndarray,
    undated: np.ndarray,
    birth_year: np.ndarray,
    mother_hash: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The entries of oversized blocks under a second key: (key, tie-break, owner) of each
    sub-block entry, and which of the given entries have no second key.

    A key without a date (given + father + family, and the two with the mother's name) is split
    by birth year in two overlapping bands of `YEAR_BAND` years, shifted by half a band: two
    years at most half a band apart (an estimated age off by two or three) always share a band.
    A key with a date is split by the mother's given name (its skeleton: any script), the one
    field none of those keys leaves out as its tie-break, so a misspelt or missing given,
    father's or family name does not move a record to another sub-block."""
    # Sub-block numbers are above every key number (< 2**31), so they never meet a whole block.
    base = (kh + 1) << 31
    year = birth_year[ow]
    dated_entry = undated & (year > 0)
    y = year[dated_entry]
    half = YEAR_BAND // 2
    band_low = base[dated_entry] + (y // YEAR_BAND) * 2
    band_high = base[dated_entry] + ((y + half) // YEAR_BAND) * 2 + 1
    mother = mother_hash[ow]
    by_mother = ~undated & (mother != 0)
    mother_code = base[by_mother] + (mother[by_mother] & ((1 << 31) - 1))
    sub_kh = np.concatenate((band_low, band_high, mother_code))
    sub_th = np.concatenate((th[dated_entry], th[dated_entry], th[by_mother]))
    sub_ow = np.concatenate((ow[dated_entry], ow[dated_entry], ow[by_mother]))
    return sub_kh, sub_th, sub_ow, ~(dated_entry | by_mother)


def _window_pairs(
    kh: np.ndarray,
    th: np.ndarray,
    yr: np.ndarray,
    ow: np.ndarray,
    n: int,
    pieces: list[list[np.ndarray]],
    keep: np.ndarray | None = None,
    window: int = WINDOW,
) -> None:
    """Pair each entry with its next `window` neighbours of the same key (sorted by tie-break,
    birth year, record), filing the pair codes (i * n + j) in `pieces` by the range of their
    first record. With `keep`, only pairs where at least one side is kept."""
    if not len(kh):
        return
    order = np.lexsort((ow, yr, th, kh))
    kh, ow = kh[order], ow[order]
    keep = keep[order] if keep is not None else None
    # A pair that shares several keys is generated several times. Each distance's pairs are
    # made unique at once and filed by the range of their first record, so that the final
    # sort works one range at a time instead of on every raw pair together (memory at 1M).
    span = n // _PAIR_RANGES + 1
    limits = np.arange(1, _PAIR_RANGES, dtype=np.int64) * span * n
    # Only the entries whose block still holds a neighbour d places on are walked at distance
    # d: most keys have one or two records, so after the first distances only the entries of
    # large blocks remain (comparing whole arrays at each of forty distances was most of the
    # blocking's time at 1M).
    size = len(kh)
    starts = np.flatnonzero(np.concatenate(([True], kh[1:] != kh[:-1])))
    bounds = np.append(starts, size)
    block_end = np.repeat(bounds[1:], np.diff(bounds))
    del starts, bounds
    active = np.arange(size, dtype=np.int64)
    for d in range(1, window + 1):
        active = active[active + d < block_end[active]]
        if not len(active):
            break
        a, b = ow[active], ow[active + d]
        same = a != b
        if keep is not None:
            same &= keep[active] | keep[active + d]
        if not same.any():
            continue
        a, b = a[same], b[same]
        codes = _sorted_unique(np.minimum(a, b) * n + np.maximum(a, b))
        for k, part in enumerate(np.split(codes, np.searchsorted(codes, limits))):
            if len(part):
                pieces[k].append(part)


# Worker processes inherit these through fork; nothing is pickled but the pair indices.
_STATE: dict[str, object] = {}


def _score_chunk(args: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    left, right = args
    prepared = _STATE["prepared"]
    freqs = _STATE["freqs"]
    prior = _STATE["prior"]
    weights = _STATE.get("weights")
    totals = np.empty(len(left), dtype=np.float32)
    flags = np.zeros(len(left), dtype=np.int8)
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        total, veto, cap = score_pair(prepared[i], prepared[j], freqs, prior, weights=weights)
        totals[k] = total
        flags[k] = (1 if veto else 0) | (2 if cap else 0)
    return totals, flags


def _score_all(left, right, workers: int, bar: tqdm | None) -> tuple[np.ndarray, np.ndarray]:
    chunks = [(left[s : s + _CHUNK], right[s : s + _CHUNK]) for s in range(0, len(left), _CHUNK)]
    results = []
    if workers > 1 and len(chunks) > 1:
        with mp.get_context("fork").Pool(workers) as pool:
            for res in pool.imap(_score_chunk, chunks):
                results.append(res)
                if bar:
                    bar.update(len(res[0]))
    else:
        for chunk in chunks:
            results.append(_score_chunk(chunk))
            if bar:
                bar.update(len(chunk[0]))
    if not results:
        return np.empty(0, dtype=np.float32), np.empty(0, dtype=np.int8)
    return np.concatenate([r[0] for r in results]), np.concatenate([r[1] for r in results])


def _score_arrays_half(args: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    start, stop = args
    arrays, left, right, prior, weights = (
        _STATE["arrays"],
        _STATE["left"],
        _STATE["right"],
        _STATE["prior"],
        _STATE["weights"],
    )
    return score_pair_arrays(arrays, left[start:stop], right[start:stop], prior, weights=weights)


def _score_arrays_in_two(
    arrays: RecordArrays,
    left: np.ndarray,
    right: np.ndarray,
    prior: float,
    weights: FieldWeights | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """`score_pair_arrays` with the second half of the pairs in one forked process while this
    one scores the first: the comparison is the costliest stage of a run at a million records
    and each pair's figures depend on that pair alone, so the halves give the same figures.

    The child inherits the record arrays through fork (only two slice bounds go to it, and its
    totals and flags, five bytes a pair, come back). Objects that exist at the fork are frozen
    out of the garbage collector first: a collection in the child would otherwise write to the
    header of every object it inherited and so copy the parent's heap page by page (memory is
    the other half of the issue's target). The child's name comparisons are not kept: this
    process works out again the few that later steps need."""
    half = len(left) // 2
    _STATE.update(arrays=arrays, left=left, right=right, prior=prior, weights=weights)
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork")) as pool:
            second = pool.submit(_score_arrays_half, (half, len(left)))
            first = score_pair_arrays(arrays, left[:half], right[:half], prior, weights=weights)
            second_totals, second_flags = second.result()
    finally:
        gc.unfreeze()
        _STATE.clear()
    return np.concatenate((first[0], second_totals)), np.concatenate((first[1], second_flags))


def score_pairs(
    prepared: list[PreparedRecord],
    left: np.ndarray,
    right: np.ndarray,
    frequencies: NameFrequencies | None,
    prior: float,
    *,
    workers: int = 1,
    bar: tqdm | None = None,
    arrays: RecordArrays | None = None,
    one_by_one: bool = False,
    min_parallel_pairs: int = PARALLEL_PAIRS,
    weights: FieldWeights | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Log-odds and flags (1: vetoed, 2: capped at possible) of each pair (left[k], right[k]).

    Over arrays (`arrays`, built from `prepared` when not given; reusing them reuses the name
    comparisons already made), with `workers` > 1 and at least `min_parallel_pairs` pairs in
    two processes (see `_score_arrays_in_two`); `one_by_one` calls `score_pair` for each pair
    instead, in `workers` processes (the reference the vectorised scoring is tested against)."""
    if not one_by_one:
        if arrays is None:
            arrays = RecordArrays(prepared, frequencies)
        if workers > 1 and len(left) >= min_parallel_pairs:
            totals, flags = _score_arrays_in_two(arrays, left, right, prior, weights)
        else:
            totals, flags = score_pair_arrays(arrays, left, right, prior, weights=weights)
        if bar:
            bar.update(len(left))
        return totals, flags
    _STATE.update(prepared=prepared, freqs=frequencies, prior=prior, weights=weights)
    try:
        return _score_all(left, right, workers, bar)
    finally:
        _STATE.clear()


def _household_ids(prepared: list[PreparedRecord]) -> np.ndarray:
    ids: dict[tuple[str, str], int] = {}
    out = np.full(len(prepared), -1, dtype=np.int32)
    for i, p in enumerate(prepared):
        if p.household is not None:
            out[i] = ids.setdefault(p.household, len(ids))
    return out


# Pair arrays are walked this many pairs at a time where a step needs 8-byte temporaries per
# pair: at a million records there are tens of millions of candidate pairs, and several
# temporaries of that length at once were most of the run's peak memory.
_PAIR_SLICE = 4_000_000


def _household_pair_codes(
    left: np.ndarray, right: np.ndarray, hh: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """(code of the two households, whether they are two different households) of each pair."""
    ha = hh[left].astype(np.int64)
    hb = hh[right].astype(np.int64)
    valid = (ha >= 0) & (hb >= 0) & (ha != hb)
    return np.minimum(ha, hb) * width + np.maximum(ha, hb), valid


def household_support(
    left: np.ndarray, right: np.ndarray, totals: np.ndarray, flags: np.ndarray, hh: np.ndarray
) -> np.ndarray:
    """For each pair, how many *other* member pairs of the same two households look alike."""
    width = int(hh.max()) + 2 if len(hh) else 1
    slices = [slice(s, s + _PAIR_SLICE) for s in range(0, len(left), _PAIR_SLICE)]
    supporting_codes = []
    for part in slices:
        code, valid = _household_pair_codes(left[part], right[part], hh, width)
        supporting = valid & (totals[part] >= SUPPORT_LOG_ODDS) & ((flags[part] & 1) == 0)
        supporting_codes.append(code[supporting])
    uniq, counts = np.unique(
        np.concatenate(supporting_codes) if supporting_codes else np.empty(0, np.int64),
        return_counts=True,
    )
    del supporting_codes
    support = np.zeros(len(left), dtype=np.int32)
    if not len(uniq):
        return support
    for part in slices:
        code, valid = _household_pair_codes(left[part], right[part], hh, width)
        pos = np.clip(np.searchsorted(uniq, code), 0, len(uniq) - 1)
        found = valid & (uniq[pos] == code)
        chunk = np.zeros(len(code), dtype=np.int32)
        chunk[found] = counts[pos[found]]
        supporting = valid & (totals[part] >= SUPPORT_LOG_ODDS) & ((flags[part] & 1) == 0)
        support[part] = chunk - supporting.astype(np.int32)
    return support


def household_pairs(
    left: np.ndarray,
    right: np.ndarray,
    totals: np.ndarray,
    flags: np.ndarray,
    hh: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of members of two households that already look alike through at least one member
    pair, and that blocking did not propose: a mother registered under her husband's family
    name, a child without a birth date, a typo in two fields at once. Household by household,
    these are few, and household support then weighs them (see `household_support`)."""
    n = len(hh)
    width = int(hh.max()) + 2 if n else 1
    linked_codes = []
    for s in range(0, len(left), _PAIR_SLICE):
        part = slice(s, s + _PAIR_SLICE)
        code, valid = _household_pair_codes(left[part], right[part], hh, width)
        linked = valid & (totals[part] >= SUPPORT_LOG_ODDS) & ((flags[part] & 1) == 0)
        linked_codes.append(code[linked])
    codes = _sorted_unique(np.concatenate(linked_codes) if linked_codes else np.empty(0, np.int64))
    del linked_codes
    pa, pb = codes // width, codes % width
    members = np.flatnonzero(hh >= 0)
    members = members[np.argsort(hh[members], kind="stable")]
    count = np.bincount(hh[members], minlength=width)
    start = np.concatenate(([0], np.cumsum(count)[:-1]))
    na, nb = count[pa], count[pb]
    keep = (na <= MAX_HOUSEHOLD) & (nb <= MAX_HOUSEHOLD)
    pa, pb, na, nb = pa[keep], pb[keep], na[keep], nb[keep]
    sizes = na * nb
    which = np.repeat(np.arange(len(pa)), sizes)
    offset = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    x = members[start[pa][which] + offset // nb[which]]
    y = members[start[pb][which] + offset % nb[which]]
    pair_codes = _sorted_unique(np.minimum(x, y).astype(np.int64) * n + np.maximum(x, y))
    # Drop the pairs blocking already proposed. Candidate pairs are sorted by their code
    # (candidate_pairs returns unique codes), so each slice of them is searched on its own.
    known = np.zeros(len(pair_codes), dtype=bool)
    for s in range(0, len(left), _PAIR_SLICE):
        part = slice(s, s + _PAIR_SLICE)
        block = left[part].astype(np.int64) * n + right[part]
        pos = np.clip(np.searchsorted(block, pair_codes), 0, len(block) - 1)
        known |= block[pos] == pair_codes
    new = pair_codes[~known]
    return (new // n).astype(np.int32), (new % n).astype(np.int32)


@dataclass
class ScoredPairs:
    """Every compared pair of a run: record indices, raw log-odds, flags (1: vetoed, 2: capped
    at possible) and household support (other member pairs of the two households that agree)."""

    left: np.ndarray
    right: np.ndarray
    totals: np.ndarray
    flags: np.ndarray
    support: np.ndarray
    # The records' arrays the pairs were scored on (their name comparisons cached), for
    # scoring more pairs of the same run.
    arrays: RecordArrays | None = None
    # The weights of the fields other than names the pairs were scored with (None: hand-set).
    weights: FieldWeights | None = None


def score_candidates(
    prepared: list[PreparedRecord],
    households: np.ndarray,
    frequencies: NameFrequencies | None,
    prior: float,
    *,
    workers: int = 1,
    progress: bool = False,
    stats: DedupeStats | None = None,
    learn: bool | None = None,
) -> ScoredPairs:
    """Blocking, comparison and household evidence: the one path that the CSV run and the
    registry run (`refuge dedupe --registry`) share. `households` holds a household number per
    record (-1 for none). With `learn` (`LEARN_WEIGHTS` when None) the weights of sex, birth
    date, origin and document are learned from a sample of the candidate pairs first
    (`learn.learn_field_weights`) and every pair is scored with them; the model is left in
    `stats.model`."""
    left, right = candidate_pairs(prepared)
    if stats is not None:
        stats.candidate_pairs = len(left)
    arrays = RecordArrays(prepared, frequencies)
    weights = None
    if LEARN_WEIGHTS if learn is None else learn:
        model = learn_field_weights(prepared, left, right, frequencies, prior, arrays=arrays)
        weights = model.weights
        if stats is not None:
            stats.model = model
    with tqdm(total=len(left), desc="compare", unit="pair", disable=not progress) as bar:
        totals, flags = score_pairs(
            prepared,
            left,
            right,
            frequencies,
            prior,
            workers=workers,
            bar=bar,
            arrays=arrays,
            weights=weights,
        )
    hh = households
    extra_left, extra_right = household_pairs(left, right, totals, flags, hh)
    if len(extra_left):
        with tqdm(
            total=len(extra_left), desc="households", unit="pair", disable=not progress
        ) as bar:
            extra_totals, extra_flags = score_pairs(
                prepared,
                extra_left,
                extra_right,
                frequencies,
                prior,
                workers=workers,
                bar=bar,
                arrays=arrays,
                weights=weights,
            )
        left = np.concatenate((left, extra_left))
        right = np.concatenate((right, extra_right))
        totals = np.concatenate((totals, extra_totals))
        flags = np.concatenate((flags, extra_flags))
        if stats is not None:
            stats.household_pairs = len(extra_left)
    support = household_support(left, right, totals, flags, hh)
    return ScoredPairs(left, right, totals, flags, support, arrays, weights)


def link_probabilities(scored: ScoredPairs, prior: float) -> tuple[np.ndarray, np.ndarray]:
    """(log-odds with household support, probability) of every pair, with vetoes and the weak
    given-name cap applied: the figures both runs decide on (as `compare_people` would)."""
    # compare.household_weight over arrays: the same figure for every count of support.
    weight_by_support = np.array(
        [household_weight(s, prior) for s in range(int(scored.support.max(initial=0)) + 1)],
        dtype=np.float64,
    )
    bonus = weight_by_support[np.maximum(scored.support, 0)]
    boosted = (scored.totals + bonus.astype(np.float32)).astype(np.float32)
    prob = (1.0 / (1.0 + np.exp(-np.clip(boosted, -50, 50)))).astype(np.float32)
    vetoed = (scored.flags & 1) == 1
    prob[vetoed] = np.minimum(prob[vetoed], POSSIBLE_THRESHOLD / 2)
    capped = ((scored.flags & 2) == 2) & (prob >= MATCH_THRESHOLD)
    prob[capped] = (MATCH_THRESHOLD + POSSIBLE_THRESHOLD) / 2
    return boosted, prob


# Far more than float32's rounding of a log-odds (below 1e-5 for totals under a hundred).
_FLOAT32_SLACK = 1e-3


class _KnownPairs:
    """The raw log-odds and veto of the pairs that clustering may ask about, in both orders
    (`score_pair` is not symmetric: which name is the rare one, and whether a given and a
    family name look swapped, depend on the side): the scored pairs whose two records are in
    one connected component of the strong links (only such records are ever merged). Clusters
    grow along blocks, so most pairs across two merging clusters were scored already; scoring
    them the other way round over arrays and looking them up costs a small fraction of
    scoring each again with `score_pair`."""

    def __init__(
        self,
        n: int,
        strong_left: np.ndarray,
        strong_right: np.ndarray,
        scored: ScoredPairs,
        prior: float,
    ) -> None:
        component = _components(n, strong_left, strong_right)
        left, right = scored.left, scored.right
        keep = np.flatnonzero((component[left] == component[right]) & (component[left] >= 0))
        x, y = left[keep].astype(np.int64), right[keep].astype(np.int64)
        totals, vetoed = scored.totals[keep], (scored.flags[keep] & 1) == 1
        if scored.arrays is not None and len(keep):
            back_totals, back_flags = score_pair_arrays(
                scored.arrays, y, x, prior, weights=scored.weights
            )
            x, y = np.concatenate((x, y)), np.concatenate((y, x))
            totals = np.concatenate((totals, back_totals))
            vetoed = np.concatenate((vetoed, (back_flags & 1) == 1))
        # Without the arrays only the scored order is known; (x, y) is the order asked.
        codes = x * n + y
        order = np.argsort(codes, kind="stable")
        self.n = n
        self.codes = codes[order]
        self.totals = totals[order]
        self.vetoed = vetoed[order]

    def get(self, x: int, y: int) -> tuple[float, bool] | None:
        """(log-odds, vetoed) of `score_pair(x, y)` if known (in that order)."""
        code = x * self.n + y
        pos = int(np.searchsorted(self.codes, code))
        if pos < len(self.codes) and self.codes[pos] == code:
            return float(self.totals[pos]), bool(self.vetoed[pos])
        return None


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """A component number per record of the graph of links (left[k], right[k]): the smallest
    record in it, -1 for a record without a link. Labels are lowered along the links and
    then looked up through each other (pointer jumping) until nothing changes."""
    label = np.arange(n, dtype=np.int64)
    a, b = left.astype(np.int64), right.astype(np.int64)
    while True:
        low = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, low)
        np.minimum.at(new, b, low)
        new = new[new]
        if np.array_equal(new, label):
            break
        label = new
    linked = np.zeros(n, dtype=bool)
    linked[a] = True
    linked[b] = True
    label[~linked] = -1
    return label


def dedupe_records(
    records: Iterable[PersonRecord],
    *,
    progress: bool = False,
    workers: int = 1,
    stats: DedupeStats | None = None,
    link_threshold: float = MATCH_THRESHOLD,
    learn: bool | None = None,
) -> dict[str, str]:
    """Cluster registrations into people. Returns record_id -> cluster_id for every record."""
    stats = stats if stats is not None else DedupeStats()
    prepared = [
        PreparedRecord(r) for r in tqdm(records, desc="normalise", unit="rec", disable=not progress)
    ]
    n = len(prepared)
    stats.records = n
    forget_family_documents(prepared)
    freqs = name_frequencies(prepared)
    prior = prior_log_odds(n)
    hh = _household_ids(prepared)
    scored = score_candidates(
        prepared, hh, freqs, prior, workers=workers, progress=progress, stats=stats, learn=learn
    )
    left, right, totals, flags, support = (
        scored.left,
        scored.right,
        scored.totals,
        scored.flags,
        scored.support,
    )
    boosted, prob = link_probabilities(scored, prior)
    same_hh = (hh[left] >= 0) & (hh[left] == hh[right])
    strong = (prob >= link_threshold) & ~same_hh
    # Strongest first by log-odds: probabilities saturate at 1.0 and would tie.
    sl, sr, sp = left[strong], right[strong], boosted[strong]
    stats.strong_links = len(sl)
    del prob, support, boosted, totals, flags, left, right
    known = _KnownPairs(n, sl, sr, scored, prior)
    weights = scored.weights
    del scored

    # Across clusters only hard contradictions and overwhelming evidence against block a merge:
    # the raw score of a cross pair lacks the household support that its links had.
    compatible_floor = prior + COMPATIBLE_MARGIN

    def compatible(x: int, y: int) -> bool:
        if hh[x] >= 0 and hh[x] == hh[y]:
            return False
        found = known.get(x, y)
        # A pair already scored is not scored again, unless its float32 total is so near the
        # floor that rounding might decide (score_pair's total is a float64).
        if found is not None and abs(found[0] - compatible_floor) > _FLOAT32_SLACK:
            return not found[1] and found[0] >= compatible_floor
        total, veto, _cap = score_pair(prepared[x], prepared[y], freqs, prior, weights=weights)
        return not veto and total >= compatible_floor

    def bar(it):
        return tqdm(it, total=len(sl), desc="cluster", unit="link", disable=not progress)

    labels = constrained_clusters(n, sl, sr, sp, compatible, progress=bar)
    stats.clusters = len(_sorted_unique(labels))
    return {p.record_id: f"C{labels[i]:09d}" for i, p in enumerate(prepared)}


def dedupe_csv(
    in_path: str | Path,
    out_path: str | Path,
    *,
    progress: bool = True,
    workers: int = 1,
    stats: DedupeStats | None = None,
    learn: bool | None = None,
) -> list[RowError]:
    """Deduplicate an exchange CSV into `record_id,cluster_id` rows. Rows that cannot be read
    are left out of the output and returned (row number, field, code)."""
    errors: list[RowError] = []
    stats = stats if stats is not None else DedupeStats()
    clusters = dedupe_records(
        iter_exchange_csv(in_path, errors),
        progress=progress,
        workers=workers,
        stats=stats,
        learn=learn,
    )
    stats.errors = len(errors)
    write_clusters_csv(out_path, clusters.items())
    for e in errors[:20]:
        print(f"row {e.row}: {e.field}: {e.code} ({e.value!r})", file=sys.stderr)
    return errors
