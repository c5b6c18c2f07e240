"""Pairwise precision, recall and F1 of a clustering against the truth, from cluster sizes."""

from __future__ import annotations

import csv
from collections import Counter


def _pairs(counter: Counter) -> int:
    return sum(c * (c - 1) // 2 for c in counter.values())


def pairwise_scores(predicted: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    """Precision, recall and F1 over record pairs, counted from cluster sizes (no n^2)."""
    ids = [r for r in truth if r in predicted]
    pred_pairs = _pairs(Counter(predicted[r] for r in ids))
    true_pairs = _pairs(Counter(truth[r] for r in ids))
    both = _pairs(Counter((predicted[r], truth[r]) for r in ids))
    precision = both / pred_pairs if pred_pairs else 1.0
    recall = both / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
    }


def read_mapping(path, key: str, value: str) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row[key]: row[value] for row in csv.DictReader(fh)}
