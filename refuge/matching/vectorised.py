"""The comparison of candidate pairs over arrays: the same figures as `compare.score_pair`, for
millions of pairs at once.

`score_pair` compares one pair in Python; a million registrations give some twenty million
candidate pairs, which one by one took minutes. Here every field of every record becomes an
integer (a name's number among the distinct spellings, a birth year, a document's number) and
each pair's evidence is read from arrays:

- names are compared once per distinct *pair of spellings*, not once per pair of records (the
  twenty million pairs hold a few million distinct name pairs), and the weighted edit distance
  of `compare.phoneme_distance` runs for all distinct token pairs together, one dynamic
  programming cell at a time across the whole batch (numpy); the few names of several tokens go
  through `compare._compare_normalised` itself;
- the weight of a name level (`compare._name_weight`), birth dates, sex, origin and documents
  are numpy expressions of the same rules, in the same order, so that every pair's log-odds is
  the same float as `score_pair`'s (`tests/test_vectorised.py` compares the two on a sample).

Weights that take a logarithm are worked out per distinct name with `math.log`, as the scalar
path does, because numpy's vectorised logarithm may differ in the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from refuge.matching.compare import (
    _COMBINATION_FLOOR,
    _COMBINATION_M_LOG,
    _COMBINATION_MAX_RAISE,
    _COMBINED_FIELDS,
    _DISTINCT_WEIGHT,
    _FAR_TYPO_WEIGHT,
    _GIVEN_DISAGREE_SAME_DOCUMENT,
    _GIVEN_FAMILY_FIELDS,
    _GIVEN_FAMILY_M_LOG,
    _NAME_FIELDS,
    _SLIP_MAX_COST,
    _SLIP_WEIGHT,
    _TYPO_MAX_COST,
    _TYPO_WEIGHT,
    _WEAK_WEIGHT,
    _YEAR_DIFFERS_SAME_DOCUMENT,
    BIRTH_WEIGHTS,
    HAND_SET_WEIGHTS,
    FieldWeights,
    Level,
    NameFrequencies,
    PreparedRecord,
    _indel,
    _level_for,
    _sub,
    given_family_combination,
    is_keyboard_slip,
    name_combination,
)
from refuge.matching.normalise import NormalisedName
from refuge.matching.places import compare_origins

# Name levels as small integers (the order is only a numbering).
EXACT, STRONG, WEAK, DISAGREE, MISSING = range(5)
_LEVEL_NUMBER = {
    Level.EXACT: EXACT,
    Level.STRONG: STRONG,
    Level.WEAK: WEAK,
    Level.DISAGREE: DISAGREE,
    Level.MISSING: MISSING,
}
_BIRTH_CODES = tuple(BIRTH_WEIGHTS)
_YEAR_DIFFERS = _BIRTH_CODES.index("year_differs")
_DP_BATCH = 20_000  # token pairs per dynamic-programming batch (rows of a few floats each)
_PAIR_CHUNK = 1_000_000  # record pairs per step, which bounds the temporary arrays


class _Names:
    """The distinct names of a run, numbered, with what the weights need to know of each."""

    def __init__(self, frequencies: NameFrequencies | None) -> None:
        self.objects: list[NormalisedName] = []
        self._number: dict[int, int] = {}
        self.frequencies = frequencies

    def number(self, name: NormalisedName) -> int:
        key = id(name)
        found = self._number.get(key)
        if found is None:
            found = self._number[key] = len(self.objects)
            self.objects.append(name)
        return found

    def finish(self) -> None:
        """Per-name arrays, once every record's names are numbered."""
        freqs = self.frequencies
        names = self.objects
        skeleton_numbers: dict[str, int] = {}
        self.skeleton = np.array(
            [skeleton_numbers.setdefault(n.skeleton, len(skeleton_numbers)) for n in names],
            dtype=np.int64,
        )
        self.present = np.array([bool(n.tokens) for n in names], dtype=bool)
        self.single = np.array([len(n.tokens) == 1 for n in names], dtype=bool)
        if freqs is not None:
            counts = np.array([freqs.counts.get(n.skeleton, 0) for n in names], dtype=np.int64)
            self.common_form = np.array([freqs.is_common_form(n) for n in names], dtype=bool)
            self.common_skeleton = np.array(
                [freqs.is_common_skeleton(n) for n in names], dtype=bool
            )
            self.rare_form = np.array([freqs.is_rare_form(n) for n in names], dtype=bool)
            self.form_count = np.array([freqs.forms.get(n.key, 0) for n in names], dtype=np.int64)
        else:
            self.form_count = np.zeros(len(names), dtype=np.int64)
            counts = np.zeros(len(names), dtype=np.int64)
            self.common_form = np.zeros(len(names), dtype=bool)
            self.common_skeleton = np.zeros(len(names), dtype=bool)
            self.rare_form = np.zeros(len(names), dtype=bool)
        self.skeleton_count = counts
        # Each name's frequency (NameFrequencies.u), for the namesakes of a combination.
        self.u = np.array(
            [freqs.u(n, 0.02) if freqs is not None else 0.02 for n in names], dtype=np.float64
        )
        # The agreement weight of each name in each field (compare._name_weight's first case).
        self.agree_weight: dict[str, np.ndarray] = {}
        for field_name, _attr, m, default_u, _disagree in _NAME_FIELDS:
            weights = np.empty(len(names), dtype=np.float64)
            for k, n in enumerate(names):
                u = freqs.u(n, default_u) if freqs else default_u
                weights[k] = min(7.0, max(0.3, math.log(m / u)))
            self.agree_weight[field_name] = weights
        # Tokens (phoneme text, from Arabic script) are numbered as the distances need them.
        self._tokens: dict[tuple[str, bool], int] = {}
        self.token_text: list[tuple[str, bool]] = []
        self.token = np.array(
            [
                self._token(n.tokens[0].phon, n.tokens[0].arabic) if len(n.tokens) == 1 else -1
                for n in names
            ],
            dtype=np.int64,
        )
        phon_numbers: dict[str, int] = {}
        self.phon = np.array(
            [
                phon_numbers.setdefault(n.tokens[0].phon, len(phon_numbers))
                if len(n.tokens) == 1
                else -1
                for n in names
            ],
            dtype=np.int64,
        )
        self.phon_length = np.array(
            [len(n.tokens[0].phon) if len(n.tokens) == 1 else 0 for n in names], dtype=np.int64
        )
        self._token_tables = TokenTables()
        self._cache_codes = np.empty(0, dtype=np.int64)
        self._cache_level = np.empty(0, dtype=np.int8)
        self._cache_cost = np.empty(0, dtype=np.float64)

    def is_typo_of(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """`NameFrequencies.is_typo_of` for arrays of name numbers."""
        ca = self.skeleton_count[a]
        return (
            self.common_form[b]
            & (self.skeleton[a] != self.skeleton[b])
            & ((ca <= 2) | (ca * 50 <= self.skeleton_count[b]))
        )

    def is_slip_form_of(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """`NameFrequencies.is_slip_form_of` for arrays of name numbers."""
        ca = self.form_count[a]
        return self.common_form[b] & ((ca <= 2) | (ca * 50 <= self.form_count[b]))

    def is_given_slip(self, a: np.ndarray, b: np.ndarray, wanted: np.ndarray) -> np.ndarray:
        """`compare._is_given_slip` for the pairs where `wanted`: the spelling test over arrays,
        then the keyboard edit count once per distinct pair of names that passes it."""
        out = np.zeros(len(a), dtype=bool)
        freqs = self.frequencies
        if freqs is None or not freqs.forms:
            return out
        candidate = wanted & (self.is_slip_form_of(a, b) | self.is_slip_form_of(b, a))
        if not candidate.any():
            return out
        width = len(self.objects)
        codes = a[candidate].astype(np.int64) * width + b[candidate]
        uniq, inverse = np.unique(codes, return_inverse=True)
        objects = self.objects
        slip = np.array(
            [is_keyboard_slip(objects[c // width], objects[c % width]) for c in uniq.tolist()],
            dtype=bool,
        )
        out[candidate] = slip[inverse]
        return out

    def compare(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(level, cost) of `compare._compare_normalised` for each pair of name numbers."""
        width = len(self.objects)
        codes = a.astype(np.int64) * width + b
        uniq, inverse = np.unique(codes, return_inverse=True)
        cache = self._cache_codes
        pos = np.searchsorted(cache, uniq)
        known = np.zeros(len(uniq), dtype=bool)
        inside = pos < len(cache)
        known[inside] = cache[pos[inside]] == uniq[inside]
        new = uniq[~known]
        if len(new):
            level, cost = self._compare_new(new // width, new % width)
            at = np.searchsorted(cache, new)
            self._cache_codes = np.insert(cache, at, new)
            self._cache_level = np.insert(self._cache_level, at, level)
            self._cache_cost = np.insert(self._cache_cost, at, cost)
            pos = np.searchsorted(self._cache_codes, uniq)
        return self._cache_level[pos][inverse], self._cache_cost[pos][inverse]

    def _token(self, phon: str, arabic: bool) -> int:
        key = (phon, arabic)
        found = self._tokens.get(key)
        if found is None:
            found = self._tokens[key] = len(self.token_text)
            self.token_text.append(key)
        return found

    def _compare_new(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        level = np.full(len(a), MISSING, dtype=np.int8)
        cost = np.zeros(len(a), dtype=np.float64)
        present = self.present[a] & self.present[b]
        single = present & self.single[a] & self.single[b]
        several = np.flatnonzero(present & ~single)
        # Names of several tokens are few: the token distances that their token-by-token
        # assignment needs are listed here and worked out with all the others.
        wanted_a: list[int] = []
        wanted_b: list[int] = []
        for k in several.tolist():
            na, nb = self.objects[a[k]], self.objects[b[k]]
            short, long_ = (
                (na.tokens, nb.tokens)
                if len(na.tokens) <= len(nb.tokens)
                else (nb.tokens, na.tokens)
            )
            for t in short:
                for u in long_:
                    wanted_a.append(self._token(t.phon, t.arabic))
                    wanted_b.append(self._token(u.phon, u.arabic))
            wanted_a.append(
                self._token("".join(t.phon for t in na.tokens), any(t.arabic for t in na.tokens))
            )
            wanted_b.append(
                self._token("".join(t.phon for t in nb.tokens), any(t.arabic for t in nb.tokens))
            )
        sa, sb = self.token[a[single]], self.token[b[single]]
        ta = np.concatenate((sa, np.array(wanted_a, dtype=np.int64)))
        tb = np.concatenate((sb, np.array(wanted_b, dtype=np.int64)))
        distance = self._token_distances(ta, tb)
        if single.any():
            d = distance[: len(sa)]
            length = np.maximum(self.phon_length[a[single]], self.phon_length[b[single]])
            lv = _levels(d, length)
            lv[self.phon[a[single]] == self.phon[b[single]]] = EXACT
            level[single] = lv
            cost[single] = d
        rest = iter(distance[len(sa) :].tolist())
        for k in several.tolist():
            level[k], cost[k] = _assign_tokens(self.objects[a[k]], self.objects[b[k]], rest)
        return level, cost

    def _token_distances(self, ta: np.ndarray, tb: np.ndarray) -> np.ndarray:
        width = len(self.token_text)
        uniq, inverse = np.unique(ta * width + tb, return_inverse=True)
        return batch_phoneme_distance(
            self.token_text, uniq // width, uniq % width, tables=self._token_tables
        )[inverse]


def _levels(cost: np.ndarray, length: np.ndarray) -> np.ndarray:
    """`compare._level_for` over arrays."""
    allowance = 1.0 + 0.08 * np.maximum(0, length - 6)
    return np.where(
        cost <= 0.45 * allowance, STRONG, np.where(cost <= 1.05 * allowance, WEAK, DISAGREE)
    ).astype(np.int8)


def _level_number(cost: float, length: int) -> int:
    return _LEVEL_NUMBER[_level_for(cost, length)]


def _assign_tokens(a: NormalisedName, b: NormalisedName, distances) -> tuple[int, float]:
    """`compare._compare_normalised` for names of several tokens, reading the token distances
    (in the order `_Names._compare_new` listed them) from `distances`."""
    ta, tb = a.tokens, b.tokens
    length = max(sum(len(t.phon) for t in ta), sum(len(t.phon) for t in tb))
    short, long_ = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    table = [[next(distances) for _u in long_] for _t in short]
    joined = next(distances)
    used: set[int] = set()
    cost = 0.0
    all_exact = True
    for row, t in zip(table, short, strict=True):
        best_j, best = -1, math.inf
        for j, d in enumerate(row):
            if j in used:
                continue
            if d < best:
                best_j, best = j, d
        used.add(best_j)
        cost += best
        u = long_[best_j]
        all_exact = all_exact and t.phon == u.phon
    cost += 0.4 * (len(long_) - len(short))
    if joined < cost:
        cost = joined
    if all_exact and len(ta) == len(tb):
        return EXACT, cost
    return _level_number(cost, length), cost


class TokenTables:
    """The per-token tables of `batch_phoneme_distance` (letters numbered, the cost of dropping
    each letter facing Latin or Arabic), kept from one call to the next: a run's list of tokens
    only grows, and building the tables of every token again at each of some 150 calls was a
    fifth of the comparison's time at 1M."""

    def __init__(self) -> None:
        self.alphabet: dict[str, int] = {}
        self.letters: list[str] = ["a"]
        self.sub = np.zeros((1, 1), dtype=np.float64)
        self._codes = np.zeros((0, 1), dtype=np.int64)
        self._indel = np.zeros((0, 2, 1), dtype=np.float64)
        self.lengths = np.zeros(0, dtype=np.int64)
        self.arabic = np.zeros(0, dtype=np.int64)
        self.codes_t = self._codes.T.copy()
        self.indel_t = self._indel.transpose(1, 2, 0).copy()

    def extend(self, tokens: Sequence[tuple[str, bool]]) -> None:
        """Add the tokens past those already known (`tokens` extends the earlier list)."""
        new = tokens[len(self.lengths) :]
        if not new:
            return
        letters_before = len(self.alphabet)
        for phon, _arabic in new:
            for ch in phon:
                self.alphabet.setdefault(ch, len(self.alphabet))
        if len(self.alphabet) != letters_before:
            letters = list(self.alphabet)
            self.letters = letters
            self.sub = np.array([[_sub(x, y) for y in letters] for x in letters], dtype=np.float64)
        longest = max(self._codes.shape[1], max(len(phon) for phon, _ in new))
        # Per token: its letters and the cost of dropping each, facing Latin (0) or Arabic (1).
        codes = np.zeros((len(new), longest), dtype=np.int64)
        indel = np.zeros((len(new), 2, longest), dtype=np.float64)
        for t, (phon, is_arabic) in enumerate(new):
            for pos, ch in enumerate(phon):
                codes[t, pos] = self.alphabet[ch]
                indel[t, 0, pos] = _indel(ch, pos, is_arabic, False)
                indel[t, 1, pos] = _indel(ch, pos, is_arabic, True)
        pad = longest - self._codes.shape[1]
        old_codes = np.pad(self._codes, ((0, 0), (0, pad))) if pad else self._codes
        old_indel = np.pad(self._indel, ((0, 0), (0, 0), (0, pad))) if pad else self._indel
        self._codes = np.concatenate((old_codes, codes))
        self._indel = np.concatenate((old_indel, indel))
        self.lengths = np.concatenate(
            (self.lengths, np.array([len(phon) for phon, _ in new], dtype=np.int64))
        )
        self.arabic = np.concatenate(
            (self.arabic, np.array([int(a) for _, a in new], dtype=np.int64))
        )
        self.codes_t = self._codes.T.copy()
        self.indel_t = self._indel.transpose(1, 2, 0).copy()


def batch_phoneme_distance(
    tokens: Sequence[tuple[str, bool]],
    ta: np.ndarray,
    tb: np.ndarray,
    *,
    tables: TokenTables | None = None,
) -> np.ndarray:
    """`compare.phoneme_distance` of tokens[ta[k]] and tokens[tb[k]] (each a (phon, arabic)
    pair) for every k at once.

    Pairs are sorted by length and run in batches; each batch fills the edit-distance table one
    cell at a time for all its pairs (a pair shorter than the batch's longest ignores the cells
    beyond its own length: a cell depends only on cells above and left of it). The sums and
    minima are the scalar function's, in the same order, so the distances are equal floats.
    """
    out = np.zeros(len(ta), dtype=np.float64)
    if not len(ta):
        return out
    if tables is None:
        tables = TokenTables()
    tables.extend(tokens)
    lengths, arabic = tables.lengths, tables.arabic
    len_a, len_b = lengths[ta], lengths[tb]
    order = np.lexsort((len_b, len_a))
    width = len(tables.letters)
    sub_flat = tables.sub.ravel()
    # Columns are pairs (rows of the table are letters), so that each step reads contiguous memory.
    codes_t, indel_t = tables.codes_t, tables.indel_t
    # Batches of pairs of one shape (length of a, length of b): no cell is wasted on padding.
    sorted_a, sorted_b = len_a[order], len_b[order]
    shape_starts = np.flatnonzero(
        np.concatenate(([True], (sorted_a[1:] != sorted_a[:-1]) | (sorted_b[1:] != sorted_b[:-1])))
    ).tolist() + [len(order)]
    batches = []
    for lo, hi in zip(shape_starts[:-1], shape_starts[1:], strict=True):
        batches.extend((s, min(s + _DP_BATCH, hi)) for s in range(lo, hi, _DP_BATCH))
    for lo, hi in batches:
        idx = order[lo:hi]
        xa, xb = ta[idx], tb[idx]
        la, lb = int(len_a[idx[0]]), int(len_b[idx[0]])
        size = len(idx)
        ca, cb = codes_t[:la, xa], codes_t[:lb, xb]
        del_a = np.ascontiguousarray(indel_t[arabic[xb], :la, xa].T)
        ins_b = np.ascontiguousarray(indel_t[arabic[xa], :lb, xb].T)
        prev = np.zeros((lb + 1, size), dtype=np.float64)
        for j in range(1, lb + 1):
            np.add(prev[j - 1], ins_b[j - 1], out=prev[j])
        prev2 = prev
        step = np.empty(size, dtype=np.float64)
        for i in range(1, la + 1):
            cur = np.empty((lb + 1, size), dtype=np.float64)
            np.add(prev[0], del_a[i - 1], out=cur[0])
            ai = ca[i - 1]
            row_a = ai * width
            di = del_a[i - 1]
            for j in range(1, lb + 1):
                bj = cb[j - 1]
                best = cur[j]
                np.add(prev[j - 1], sub_flat[row_a + bj], out=best)
                np.add(prev[j], di, out=step)
                np.minimum(best, step, out=best)
                np.add(cur[j - 1], ins_b[j - 1], out=step)
                np.minimum(best, step, out=best)
                if i > 1 and j > 1:
                    swap = (ai == cb[j - 2]) & (ca[i - 2] == bj) & (ai != bj)
                    if swap.any():
                        np.add(prev2[j - 2], 0.6, out=step)
                        np.minimum(best, step, out=step)
                        np.copyto(best, step, where=swap)
            prev2, prev = prev, cur
        out[idx] = prev[lb]
    return out


class RecordArrays:
    """Every field of the prepared records as arrays (one entry per record)."""

    def __init__(self, prepared: Sequence[PreparedRecord], frequencies: NameFrequencies | None):
        names = _Names(frequencies)
        n = len(prepared)
        fields = {
            attr: np.empty(n, dtype=np.int64) for attr in ("given", "father", "family", "mother")
        }
        self.swappable = np.zeros(n, dtype=bool)
        self.sex = np.zeros(n, dtype=np.int8)
        self.year = np.zeros(n, dtype=np.int64)
        self.month = np.zeros(n, dtype=np.int64)
        self.day = np.zeros(n, dtype=np.int64)
        self.has_birth = np.zeros(n, dtype=bool)
        self.document = np.full(n, -1, dtype=np.int64)
        self.origin = np.empty(n, dtype=np.int64)
        # Records carrying each record's combination of names (0: a name missing, or the
        # combinations not counted), and the combination's number (-1 for none).
        self.combination_count = np.zeros(n, dtype=np.int64)
        self.combination = np.full(n, -1, dtype=np.int64)
        # The same for the combination of given and family names (`given_family_combination`).
        self.given_family_count = np.zeros(n, dtype=np.int64)
        self.given_family = np.full(n, -1, dtype=np.int64)
        combinations = frequencies.combinations if frequencies is not None else {}
        combination_numbers: dict[str, int] = {}
        documents: dict[str, int] = {}
        origins: dict[str, int] = {}
        sexes = {"m": 1, "f": 2}
        for k, p in enumerate(prepared):
            for attr, arr in fields.items():
                arr[k] = names.number(getattr(p, attr))
            self.swappable[k] = bool(p.family) and p.given.skeleton != p.family.skeleton
            self.sex[k] = sexes.get(p.sex, 0)
            if p.birth is not None:
                self.has_birth[k] = True
                self.year[k], self.month[k], self.day[k] = p.birth.year, p.birth.month, p.birth.day
            if p.document:
                self.document[k] = documents.setdefault(p.document, len(documents))
            self.origin[k] = origins.setdefault(p.origin, len(origins))
            if combinations:
                combination = name_combination(p)
                if combination:
                    self.combination[k] = combination_numbers.setdefault(
                        combination, len(combination_numbers)
                    )
                    self.combination_count[k] = combinations.get(combination, 0)
                combination = given_family_combination(p)
                if combination:
                    self.given_family[k] = combination_numbers.setdefault(
                        combination, len(combination_numbers)
                    )
                    self.given_family_count[k] = combinations.get(combination, 0)
        self.frequencies = frequencies
        names.finish()
        self.names = names
        self.given, self.father = fields["given"], fields["father"]
        self.family, self.mother = fields["family"], fields["mother"]
        self.document_text = list(documents)
        self.origin_text = list(origins)

    def birth_codes(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """`compare.compare_birth_dates` as indices into `_BIRTH_CODES`."""
        ya, yb = self.year[i], self.year[j]
        ma, mb = self.month[i], self.month[j]
        da, db = self.day[i], self.day[j]
        gap = np.abs(ya - yb)
        both_days = (da != 0) & (db != 0)
        estimated = ~both_days
        same_day = both_days & (ma == mb) & (da == db)
        code = _BIRTH_CODES.index
        conditions = [
            ~(self.has_birth[i] & self.has_birth[j]),
            estimated & (gap == 2),
            estimated & (gap >= 3) & (gap <= 5),  # ESTIMATED_YEAR_TOLERANCE
            (gap == 2) & same_day,
            gap >= 2,
            (gap == 1) & same_day,
            gap == 1,
            same_day,
            both_days & (ma == db) & (da == mb),
            both_days & (ma == mb),
            both_days,
            (ma != 0) & (mb != 0) & (ma != mb),
        ]
        choices = [
            code("missing"),
            code("estimated_year_off_by_two"),
            code("estimated_year_far"),
            code("year_off_by_two"),
            code("year_differs"),
            code("year_off_by_one_same_day"),
            code("year_off_by_one"),
            code("exact"),
            code("month_day_swapped"),
            code("same_month_day_differs"),
            code("same_year_date_differs"),
            code("same_year_date_differs"),
        ]
        return np.select(conditions, choices, default=code("year_agrees")).astype(np.int64)

    def origin_weights(
        self, i: np.ndarray, j: np.ndarray, weights: FieldWeights = HAND_SET_WEIGHTS
    ) -> np.ndarray:
        width = len(self.origin_text)
        uniq, inverse = np.unique(self.origin[i] * width + self.origin[j], return_inverse=True)
        text = self.origin_text
        weights = np.array(
            [
                weights.origin[compare_origins(text[c // width], text[c % width]).value]
                for c in uniq.tolist()
            ],
            dtype=np.float64,
        )
        return weights[inverse]

    def document_weights(
        self, i: np.ndarray, j: np.ndarray, weights: FieldWeights = HAND_SET_WEIGHTS
    ) -> tuple[np.ndarray, np.ndarray]:
        """(weight, same document) of `compare._doc_code`'s level for each pair."""
        doc = weights.document_number
        da, db = self.document[i], self.document[j]
        both = (da >= 0) & (db >= 0)
        same = both & (da == db)
        out = np.full(len(i), doc["missing"], dtype=np.float64)
        out[same] = doc["exact"]
        differ = both & ~same
        if differ.any():
            width = len(self.document_text)
            uniq, inverse = np.unique(da[differ] * width + db[differ], return_inverse=True)
            text = self.document_text
            left = [text[c // width] for c in uniq.tolist()]
            right = [text[c % width] for c in uniq.tolist()]
            distance = cpdist(left, right, scorer=Levenshtein.distance, dtype=np.int32)
            long_enough = np.array([len(t) >= 5 for t in left], dtype=bool)
            near = long_enough & (distance <= 1)
            out[differ] = np.where(near, doc["near"], doc["disagree"])[inverse]
        return out, same


def _name_weights(
    names: _Names,
    field_name: str,
    disagree: float,
    level: np.ndarray,
    cost: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`compare._name_weight` over arrays: (weight, given name disagrees, capped)."""
    freqs = names.frequencies
    has_forms = bool(freqs is not None and freqs.forms)
    given = field_name == "given_name"
    weight = np.zeros(len(a), dtype=np.float64)
    agree = (level == EXACT) | (level == STRONG)
    weight[agree] = names.agree_weight[field_name][a[agree]]
    typo_either = names.is_typo_of(a, b) | names.is_typo_of(b, a)
    rare_or_typo = names.rare_form[a] | names.rare_form[b] | typo_either
    # Weak agreement.
    weak = level == WEAK
    dis = level == DISAGREE
    # A keyboard slip in a given name (compare._is_given_slip), for both levels it changes.
    given_slip = names.is_given_slip(a, b, weak | dis) if given else np.zeros(len(a), bool)
    weak_weight = np.full(len(a), _WEAK_WEIGHT)
    weak_caps = np.full(len(a), given)
    if has_forms:
        distinct = (
            (names.common_form[a] & names.common_form[b]) if given else np.zeros(len(a), bool)
        )
        typo = ~distinct & (rare_or_typo | given_slip)
        weak_weight = np.where(
            distinct, _DISTINCT_WEIGHT, np.where(typo, _TYPO_WEIGHT, weak_weight)
        )
        weak_caps = weak_caps & ~distinct & ~typo
    weight[weak] = weak_weight[weak]
    caps = weak & weak_caps
    # Disagreement, with the passes for a slip of the pen.
    dis_weight = np.full(len(a), disagree)
    dis_code = np.ones(len(a), dtype=bool)  # still "disagree"
    if given:
        slip = (cost <= _SLIP_MAX_COST) & (names.skeleton[a] != names.skeleton[b])
        if freqs is not None:
            slip &= ~(names.common_skeleton[a] & names.common_skeleton[b])
        # Applied in reverse order of compare._name_weight's tests, so the first one wins.
        slip |= given_slip
        dis_weight = np.where(slip, _SLIP_WEIGHT, dis_weight)
        dis_code &= ~slip
        if freqs is not None:
            far_typo = (cost <= _TYPO_MAX_COST) & typo_either
            dis_weight = np.where(far_typo, _FAR_TYPO_WEIGHT, dis_weight)
            dis_code &= ~far_typo
    elif has_forms:
        far_typo = (cost <= _TYPO_MAX_COST) & rare_or_typo
        dis_weight = np.where(far_typo, _FAR_TYPO_WEIGHT, dis_weight)
        dis_code &= ~far_typo
    weight[dis] = dis_weight[dis]
    given_disagrees = dis & dis_code if given else np.zeros(len(a), dtype=bool)
    return weight, given_disagrees, caps


def _combination_weights(
    r: RecordArrays, i: np.ndarray, j: np.ndarray, *, father: bool = True
) -> np.ndarray:
    """`NameFrequencies.combination_weight` for pairs whose combinations are both known: of the
    three names, or without `father` of the given and family names."""
    numbers = r.combination if father else r.given_family
    counts = r.combination_count if father else r.given_family_count
    count = counts[i] + np.where(numbers[i] == numbers[j], 0, counts[j])
    total = r.frequencies.total
    u = r.names.u
    if father:
        independent = total * (u[r.given[i]] * u[r.father[i]] * u[r.family[i]])
        m_log = _COMBINATION_M_LOG
    else:
        independent = total * (u[r.given[i]] * u[r.family[i]])
        m_log = _GIVEN_FAMILY_M_LOG
    expected = np.maximum(np.maximum(count - 2, 0), np.minimum(_COMBINATION_FLOOR, independent))
    values, inverse = np.unique(expected, return_inverse=True)
    # math.log per distinct value, as the scalar path computes it (see the module docstring).
    table = np.array([m_log - math.log(k / total) for k in values.tolist()], dtype=np.float64)
    return table[inverse]


def score_pair_arrays(
    records: RecordArrays,
    i: np.ndarray,
    j: np.ndarray,
    prior: float,
    *,
    weights: FieldWeights | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(log-odds as float32, flags: 1 vetoed, 2 capped at possible) for pairs (i[k], j[k]), equal
    to `compare.score_pair` for each with the same `weights` (hand-set when None)."""
    fw = weights if weights is not None else HAND_SET_WEIGHTS
    totals = np.empty(len(i), dtype=np.float32)
    flags = np.zeros(len(i), dtype=np.int8)
    for start in range(0, len(i), _PAIR_CHUNK):
        sl = slice(start, start + _PAIR_CHUNK)
        totals[sl], flags[sl] = _score_chunk(records, i[sl], j[sl], prior, fw)
    return totals, flags


def _score_chunk(
    r: RecordArrays, i: np.ndarray, j: np.ndarray, prior: float, fw: FieldWeights
) -> tuple[np.ndarray, np.ndarray]:
    birth = r.birth_codes(i, j)
    doc_weight, same_document = r.document_weights(i, j, fw)
    early = (birth == _YEAR_DIFFERS) & ~same_document
    totals = np.full(len(i), prior + fw.birth_date["year_differs"], dtype=np.float64)
    flags = np.where(early, 1, 0).astype(np.int8)
    rest = np.flatnonzero(~early)
    if not len(rest):
        return totals.astype(np.float32), flags
    i, j, birth = i[rest], j[rest], birth[rest]
    doc_weight, same_document = doc_weight[rest], same_document[rest]
    names = r.names
    ga, gb, fa, fb = r.given[i], r.given[j], r.family[i], r.family[j]
    g_level, g_cost = names.compare(ga, gb)
    # A given name and a family name written the other way round (compare.score_pair).
    maybe = ((g_level == DISAGREE) | (g_level == WEAK)) & r.swappable[i] & r.swappable[j]
    swapped = np.zeros(len(i), dtype=bool)
    f_level = np.empty(len(i), dtype=np.int8)
    f_cost = np.empty(len(i), dtype=np.float64)
    done = np.zeros(len(i), dtype=bool)
    if maybe.any():
        m = np.flatnonzero(maybe)
        g2_level, g2_cost = names.compare(ga[m], fb[m])
        f2_level, f2_cost = names.compare(fa[m], gb[m])
        g2_agrees = (g2_level == EXACT) | (g2_level == STRONG)
        f2_agrees = (f2_level == EXACT) | (f2_level == STRONG)
        take = (g2_agrees & (f2_level != DISAGREE)) | (f2_agrees & (g2_level == WEAK))
        s = m[take]
        swapped[s] = True
        g_level[s], g_cost[s] = g2_level[take], g2_cost[take]
        f_level[s], f_cost[s] = f2_level[take], f2_cost[take]
        done[s] = True
    g_other = np.where(swapped, fb, gb)
    f_other = np.where(swapped, gb, fb)
    plain = np.flatnonzero(~done)
    f_level[plain], f_cost[plain] = names.compare(fa[plain], fb[plain])

    total = np.full(len(i), prior, dtype=np.float64)
    veto = np.zeros(len(i), dtype=bool)
    cap = np.zeros(len(i), dtype=bool)
    combined = ~swapped & (r.combination[i] >= 0) & (r.combination[j] >= 0)
    # Given and family names only, where a father's name is missing (compare._combination_weight).
    given_family = ~swapped & (r.given_family[i] >= 0) & (r.given_family[j] >= 0)
    parts = np.zeros(len(i), dtype=np.float64)
    given_family_parts = np.zeros(len(i), dtype=np.float64)
    for field_name, attr, _m, _u, disagree in _NAME_FIELDS:
        if field_name == "given_name":
            a, b, level, cost = ga, g_other, g_level, g_cost
        elif field_name == "family_name":
            a, b, level, cost = fa, f_other, f_level, f_cost
        else:
            a, b = getattr(r, attr)[i], getattr(r, attr)[j]
            level, cost = names.compare(a, b)
        weight, given_disagrees, caps = _name_weights(
            names, field_name, disagree, level, cost, a, b
        )
        if field_name == "given_name":
            veto |= given_disagrees
            weight = np.where(
                given_disagrees & same_document, _GIVEN_DISAGREE_SAME_DOCUMENT, weight
            )
        cap |= caps
        total += weight
        agrees = (level == EXACT) | (level == STRONG)
        if field_name in _COMBINED_FIELDS:
            combined &= agrees
            parts += weight
        if field_name in _GIVEN_FAMILY_FIELDS:
            given_family &= agrees
            given_family_parts += weight
        elif field_name == "father_name":
            given_family &= level == MISSING
    if combined.any():
        raise_ = _combination_weights(r, i[combined], j[combined]) - parts[combined]
        total[combined] += np.minimum(raise_, _COMBINATION_MAX_RAISE)
    given_family &= ~combined
    if given_family.any():
        g = given_family
        raise_ = _combination_weights(r, i[g], j[g], father=False) - given_family_parts[g]
        total[g] += np.minimum(raise_, _COMBINATION_MAX_RAISE)
    sa, sb = r.sex[i], r.sex[j]
    sex = fw.sex
    total += np.where(
        (sa != 0) & (sb != 0),
        np.where(sa == sb, sex["agree"], sex["disagree"]),
        sex["missing"],
    )
    birth_weight = np.array([fw.birth_date[c] for c in _BIRTH_CODES], dtype=np.float64)[birth]
    total += np.where(
        (birth == _YEAR_DIFFERS) & same_document, _YEAR_DIFFERS_SAME_DOCUMENT, birth_weight
    )
    veto |= birth == _YEAR_DIFFERS
    total += r.origin_weights(i, j, fw)
    total += doc_weight
    veto &= ~same_document
    cap &= ~same_document
    totals[rest] = total
    flags[rest] = np.where(veto, 1, 0) | np.where(cap, 2, 0)
    return totals.astype(np.float32), flags
