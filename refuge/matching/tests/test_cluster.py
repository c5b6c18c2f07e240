import numpy as np

from refuge.matching.cluster import constrained_clusters


def test_strong_links_join_records():
    labels = constrained_clusters(
        3, np.array([0, 1]), np.array([1, 2]), np.array([0.9, 0.9]), lambda x, y: True
    )
    assert labels[0] == labels[1] == labels[2]


def test_chain_through_incompatible_ends_is_cut():
    # 0-1 and 1-2 are strong, but 0 and 2 contradict each other: no chain may glue them.
    labels = constrained_clusters(
        3,
        np.array([0, 1]),
        np.array([1, 2]),
        np.array([0.95, 0.9]),
        lambda x, y: {x, y} != {0, 2},
    )
    assert labels[0] == labels[1]
    assert labels[2] != labels[0]


def test_cluster_size_is_capped():
    n = 10
    left, right = np.arange(n - 1), np.arange(1, n)
    labels = constrained_clusters(n, left, right, np.ones(n - 1), lambda x, y: True, max_size=4)
    assert max(np.bincount(np.unique(labels, return_inverse=True)[1])) <= 4
