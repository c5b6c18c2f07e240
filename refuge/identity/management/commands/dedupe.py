"""`refuge dedupe INPUT.csv --out CLUSTERS.csv` for the exchange format, or `refuge dedupe
--registry` to put the registry's possible duplicates in the review queue."""

from django.core.management.base import BaseCommand, CommandError

from refuge.matching import cli


class Command(BaseCommand):
    help = "Cluster registrations into people (exchange CSV) or queue the registry's duplicates."

    def add_arguments(self, parser):
        parser.add_argument("input", nargs="?", help="person exchange CSV")
        parser.add_argument("--out", help="where to write record_id,cluster_id")
        parser.add_argument(
            "--registry",
            action="store_true",
            help="compare the registry's people and queue pairs for review",
        )
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--weights", choices=("learned", "hand-set"), default=None)
        parser.add_argument("--print-model", action="store_true")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--engine", choices=("local", "spark"), default="local")
        parser.add_argument("--master", default="local[2]", help="Spark master for --engine spark")

    def handle(self, *args, input, out, registry, workers, no_progress, engine, master, **options):
        weights, print_model = options["weights"], options["print_model"]
        if registry:
            from refuge.identity.batch import queue_registry_duplicates

            stats = queue_registry_duplicates(
                progress=not no_progress,
                learn=None if weights is None else weights == "learned",
            )
            self.stdout.write(
                f"{stats['people']} people, {stats['compared']} pairs compared, "
                f"{stats['queued']} new pairs to review."
            )
            if print_model and stats["model"] is not None:
                self.stdout.write(stats["model"].table())
            return
        if not input or not out:
            raise CommandError("Give an INPUT.csv and --out CLUSTERS.csv, or --registry.")
        parsed = cli.build_parser().parse_args(
            [input, "--out", out, "--workers", str(workers), "--engine", engine]
            + ["--master", master]
            + (["--no-progress"] if no_progress else [])
            + (["--weights", weights] if weights else [])
            + (["--print-model"] if print_model else [])
        )
        cli.run_dedupe(parsed)
