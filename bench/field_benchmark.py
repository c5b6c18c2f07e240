"""Field data in and out, timed: import a KoBoToolbox XLSX export through the door, read the
same file again (it must change nothing), and export a site's people to XLSX.

Targets (issue 13): 10,000 households (about 50,000 people) imported in at most 5 minutes on
SQLite and PostgreSQL on 2 cores, peak memory under 1 GiB, a rerun in at most a minute that
changes nothing; 100,000 people exported to XLSX in at most 2 minutes with flat memory.

    .venv/bin/python bench/field_benchmark.py import --households 10000
    .venv/bin/python bench/field_benchmark.py export --people 100000
    DATABASE_URL=$(scripts/start-postgres) .venv/bin/python bench/field_benchmark.py import

Peak memory is the process's resident high-water mark (getrusage), which includes Django.
Each figure gives the wall time and this process's CPU time (on a shared machine the wall time
mostly says how busy the others were), and the load average when it ended.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchdb import analyze_if_postgres, start_django_on_bench_database  # noqa: E402


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} {five:.1f} {fifteen:.1f}"


def _trend(started: float, cpu: float, every: int = 1000):
    """A progress callback printing, every `every` households, the CPU time a household of
    the last stretch: how the cost grows with the registry."""
    seen = [0, cpu]

    def progress(_outcome: str) -> None:
        seen[0] += 1
        if seen[0] % every == 0:
            now = time.process_time()
            print(
                f"  {seen[0]} households: {time.perf_counter() - started:.0f} s wall, "
                f"{now - cpu:.0f} s CPU, {(now - seen[1]) / every * 1000:.0f} ms CPU a "
                f"household over the last {every}; {_load()}",
                flush=True,
            )
            seen[1] = now

    return progress


def bench_import(households: int) -> None:
    vendor = start_django_on_bench_database("field_import", reuse=False)
    from refuge.demo.field_export import write_sample_export
    from refuge.fielddata import services
    from refuge.fielddata.readers import read_submissions
    from refuge.registry.models import Person
    from refuge.testing import build_world

    world = build_world()
    manager = world.user("site_manager")
    with tempfile.TemporaryDirectory() as folder:
        path = write_sample_export(Path(folder) / "kobo.xlsx", households, seed=29)
        size = path.stat().st_size / 1024 / 1024
        print(f"{vendor}: {households} households in a {size:.1f} MiB KoBo XLSX", flush=True)
        figures = []
        for label in ("import", "rerun"):
            run = services.start_run(
                site=world.perm, by=manager, file_name=path.name, fmt="kobo_xlsx"
            )
            started, cpu = time.perf_counter(), time.process_time()
            run = services.run_import(
                run, read_submissions([path], "kobo_xlsx"), progress=_trend(started, cpu)
            )
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            figures.append((label, seconds, cpu, run))
            print(f"{label} done; {_load()}", flush=True)
            analyze_if_postgres(vendor)
    people = Person.objects.count()
    for label, seconds, cpu, run in figures:
        print(
            f"{label}: {seconds:.1f} s wall, {cpu:.1f} s CPU "
            f"({seconds / households * 1000:.0f} ms wall, {cpu / households * 1000:.0f} ms CPU "
            "a household), "
            f"{run.landed} registered, {run.unchanged} unchanged, {run.edits} edits, "
            f"{run.failed} with problems"
        )
    print(f"people in the registry: {people}; peak memory {_peak_mib():.0f} MiB")


def bench_export(people: int) -> None:
    vendor = start_django_on_bench_database("field_export", reuse=False)
    from datetime import date

    from registry_benchmark import build

    from refuge.accounts.models import User
    from refuge.fielddata.exports import export_people, xlsx_file
    from refuge.registry.models import Consent, Person
    from refuge.sites.models import Site

    build(people, seed=5)
    admin = User.objects.get(username="admin")
    ids = list(Person.objects.values_list("pk", flat=True))
    Consent.objects.bulk_create(
        (
            Consent(
                person_id=pk,
                scopes=["registration", "sharing"],
                given_on=date.today(),
                recorded_by=admin,
            )
            for pk in ids
        ),
        batch_size=5000,
    )
    analyze_if_postgres(vendor)
    site = Site.objects.get(code="HMM")
    before = _peak_mib()
    started, cpu = time.perf_counter(), time.process_time()
    export = export_people(user=admin, site=site, layout="people", fmt="xlsx")
    with xlsx_file(export) as out:
        out.seek(0, 2)
        size = out.tell() / 1024 / 1024
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(
        f"{vendor}: exported {export.people} people ({export.households} households) to a "
        f"{size:.1f} MiB XLSX in {seconds:.1f} s wall, {cpu:.1f} s CPU; peak memory "
        f"{before:.0f} MiB before, {_peak_mib():.0f} MiB after; {_load()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("import").add_argument("--households", type=int, default=10_000)
    sub.add_parser("export").add_argument("--people", type=int, default=100_000)
    args = parser.parse_args()
    if args.what == "import":
        bench_import(args.households)
    else:
        bench_export(args.people)


if __name__ == "__main__":
    main()
