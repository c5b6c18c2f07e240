"""Command line for the matching engine: `refuge dedupe INPUT.csv --out CLUSTERS.csv`.

The project's `refuge` command delegates its `dedupe` sub-command here; this module also runs on
its own as `python -m refuge.matching dedupe ...`, without Django.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from refuge.matching.dedupe import DedupeStats, dedupe_csv


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The `dedupe` arguments, added to `parser` (or a new one)."""
    parser = parser or argparse.ArgumentParser(prog="refuge dedupe")
    parser.add_argument("input", help="person exchange CSV")
    parser.add_argument("--out", required=True, help="where to write record_id,cluster_id")
    parser.add_argument(
        "--workers", type=int, default=min(2, os.cpu_count() or 1), help="processes for scoring"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bars")
    parser.add_argument(
        "--engine",
        choices=("local", "spark"),
        default="local",
        help="local: this process (numpy); spark: Apache Spark (pip install -e '.[spark]')",
    )
    parser.add_argument(
        "--weights",
        choices=("learned", "hand-set"),
        default=None,
        help="weights of sex, birth date, origin and document: learned from the file by EM, "
        "or the hand-set ones (default: the engine's, see bench/README.md)",
    )
    parser.add_argument(
        "--print-model",
        action="store_true",
        help="print the learned weights of the run (with --weights learned)",
    )
    parser.add_argument(
        "--master",
        default="local[2]",
        help="Spark master URL for --engine spark (local[N], spark://host:7077, yarn)",
    )
    return parser


def run_dedupe(args: argparse.Namespace) -> int:
    """Run a deduplication from parsed arguments; returns the exit status."""
    stats = DedupeStats()
    started = time.monotonic()
    if args.engine == "spark":
        from refuge.matching.spark import dedupe_spark

        dedupe_spark(args.input, args.out, master=args.master, stats=stats)
    else:
        errors = dedupe_csv(
            args.input,
            args.out,
            progress=not args.no_progress,
            workers=args.workers,
            stats=stats,
            learn=None if args.weights is None else args.weights == "learned",
        )
        stats.errors = len(errors)
        if args.print_model and stats.model is not None:
            print(stats.model.table(), file=sys.stderr)
    print(
        f"{stats.records} records, {stats.candidate_pairs} pairs compared, "
        f"{stats.clusters} people, {stats.errors} rows rejected, "
        f"{time.monotonic() - started:.1f}s",
        file=sys.stderr,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point: `dedupe INPUT --out OUT`."""
    parser = argparse.ArgumentParser(prog="refuge")
    sub = parser.add_subparsers(dest="command", required=True)
    build_parser(sub.add_parser("dedupe", help="cluster registrations into people"))
    args = parser.parse_args(argv)
    return run_dedupe(args)


if __name__ == "__main__":
    sys.exit(main())
