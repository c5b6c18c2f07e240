"""Clustering scored pairs into people without chaining.

Plain transitive clustering (connected components of every pair above a threshold) glues people
together through chains: A resembles B, B resembles C, so A, B and C become one, and among
thousands of people called Mohammed Ali Hassan a few weak links join them all into one cluster.

Here a cluster is grown greedily from the strongest links down, and two clusters are joined only
when *every* pair of records across them is compatible: not in the same household registration
(two members registered together are two people, which keeps twins apart), not ruled out by a
veto (different given name, sex, birth years two or more apart) and not strongly against a
match. This is the constrained greedy form of correlation clustering (each merge must be
supported by a strong link and contradicted by no pair); it cannot chain, because a record that
is incompatible with any member of a cluster stays out of it, and a cluster never grows past
`max_size` registrations of one person.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np


def constrained_clusters(
    n: int,
    left: np.ndarray,
    right: np.ndarray,
    strength: np.ndarray,
    compatible: Callable[[int, int], bool],
    *,
    max_size: int = 30,
    progress: Callable[[Iterable], Iterable] | None = None,
) -> np.ndarray:
    """Cluster `n` records given strong links (left[k], right[k]) of the given strength.

    `compatible(x, y)` says whether two records may be in one cluster; it is asked only about
    pairs across two clusters about to merge. Returns a label per record (labels are record
    indices of a representative).
    """
    parent = list(range(n))
    members: dict[int, list[int]] = {}
    order = np.argsort(-strength, kind="stable")
    edges: Iterable[int] = order.tolist()
    if progress is not None:
        edges = progress(edges)
    left_l, right_l = left.tolist(), right.tolist()

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for k in edges:
        a, b = find(left_l[k]), find(right_l[k])
        if a == b:
            continue
        ma = members.get(a, [a])
        mb = members.get(b, [b])
        if len(ma) + len(mb) > max_size:
            continue
        if len(ma) == 1 and len(mb) == 1:
            ok = True  # the link itself was scored and is compatible
        else:
            ok = all(compatible(x, y) for x in ma for y in mb)
        if not ok:
            continue
        if len(ma) < len(mb):
            a, b, ma, mb = b, a, mb, ma
        parent[b] = a
        members[a] = ma + mb
        members.pop(b, None)
    return np.fromiter((find(x) for x in range(n)), dtype=np.int64, count=n)


def pairs_from_sizes(sizes: Iterable[int]) -> int:
    """The number of within-cluster pairs for clusters of these sizes."""
    return sum(s * (s - 1) // 2 for s in sizes)
