"""Batch deduplication of the registry itself: candidate pairs go to the review queue."""

from __future__ import annotations

import numpy as np
from tqdm import tqdm

from refuge.identity.models import SamePersonLink
from refuge.identity.records import person_records
from refuge.identity.services import queue_pair
from refuge.matching.compare import (
    POSSIBLE_THRESHOLD,
    Decision,
    PreparedRecord,
    compare_people,
    prior_log_odds,
)
from refuge.matching.dedupe import (
    DedupeStats,
    link_probabilities,
    name_frequencies,
    score_candidates,
)
from refuge.registry.models import Person

MIN_FOR_FREQUENCIES = 5000


def queue_registry_duplicates(
    *, progress: bool = True, chunk: int = 2000, learn: bool | None = None
) -> dict[str, object]:
    """Compare every person with the registrations that share a blocking key with them (in any
    script they were written in), and with the members of households that already match
    through another member, and queue the pairs the engine finds possible or likely.

    Pairs already decided stay decided; people of one household are not compared (twins and
    a father and son named alike live in one household and are the engine's hard negatives).

    `learn` as for `dedupe.score_candidates`: the weights learned for the run, if any, score
    the pairs and are the ones the queued comparisons' reasons show ("model" in the result)."""
    people = Person.objects.select_related("origin").prefetch_related("documents")
    owners, prepared = [], []
    for person in tqdm(
        people.iterator(chunk_size=chunk),
        total=people.count(),
        desc="prepare",
        unit="person",
        disable=not progress,
    ):
        for record in person_records(person):
            owners.append((person.pk, person.household_id))
            prepared.append(PreparedRecord(record))
    # Name frequencies only mean something over many people; in a small registry every name
    # looks common, which would drown real matches.
    frequencies = name_frequencies(prepared) if len(prepared) >= MIN_FOR_FREQUENCIES else None
    population = max(len({o for o, _ in owners}), 1000)
    prior = prior_log_odds(population)
    households = np.array([h for _, h in owners], dtype=np.int64)

    # The CSV run's path: the same blocking, comparison, household evidence and figures.
    run = DedupeStats()
    scored = score_candidates(
        prepared, households, frequencies, prior, progress=progress, stats=run, learn=learn
    )
    left, right, flags, support = scored.left, scored.right, scored.flags, scored.support
    _boosted, prob = link_probabilities(scored, prior)

    linked = set(
        SamePersonLink.objects.filter(undone_at__isnull=True).values_list(
            "person_a_id", "person_b_id"
        )
    )
    best: dict[tuple[int, int], object] = {}
    for k in tqdm(range(len(left)), desc="compare", unit="pair", disable=not progress):
        i, j = int(left[k]), int(right[k])
        (pa, ha), (pb, hb) = owners[i], owners[j]
        if pa == pb or ha == hb or flags[k] & 1 or prob[k] < POSSIBLE_THRESHOLD:
            continue
        key = (min(pa, pb), max(pa, pb))
        if key in linked:
            continue
        comparison = compare_people(
            prepared[i],
            prepared[j],
            frequencies=frequencies,
            population=population,
            same_household_evidence=int(support[k]),
            weights=scored.weights,
        )
        if comparison.decision is Decision.NON_MATCH:
            continue
        if key not in best or comparison.log_odds > best[key].log_odds:
            best[key] = comparison
    by_pk = Person.objects.in_bulk({pk for pair in best for pk in pair})
    queued = sum(
        queue_pair(by_pk[a], by_pk[b], comparison) is not None
        for (a, b), comparison in best.items()
    )
    return {"people": population, "compared": len(left), "queued": queued, "model": run.model}
