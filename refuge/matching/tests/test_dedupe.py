import csv
import subprocess
import sys

from refuge.matching.dedupe import dedupe_csv, dedupe_records
from refuge.matching.records import PersonRecord


def family(ref, site, script):
    names = {
        "ar": [
            ("محمد", "علي", "حسن", "m", "1983-03-14"),
            ("حسن", "علي", "حسن", "m", "2010-06-01"),
            ("حسين", "علي", "حسن", "m", "2010-06-01"),
        ],
        "la": [
            ("Mohamed", "Ali", "Hassan", "m", "1983"),
            ("Hassan", "Ali", "Hassan", "m", "2010-06-01"),
            ("Hussein", "Ali", "Hassan", "m", "2010-06-01"),
        ],
    }[script]
    return [
        PersonRecord(
            f"{ref}-{i}",
            household_ref=ref,
            given_name=g,
            father_name=f,
            family_name=fam,
            sex=s,
            birth_date=d,
            site=site,
        )
        for i, (g, f, fam, s, d) in enumerate(names)
    ]


def test_a_household_registered_twice_gives_one_cluster_per_person_and_keeps_twins_apart():
    records = family("H1", "hmeimim", "ar") + family("H2", "transit", "la")
    clusters = dedupe_records(records)
    assert clusters["H1-0"] == clusters["H2-0"]
    assert clusters["H1-1"] == clusters["H2-1"]
    assert clusters["H1-2"] == clusters["H2-2"]
    assert len({clusters["H1-0"], clusters["H1-1"], clusters["H1-2"]}) == 3


def test_people_with_common_names_and_different_years_are_not_chained():
    records = [
        PersonRecord(
            str(i),
            given_name="Mohammed",
            father_name="Ali",
            family_name="Hassan",
            sex="m",
            birth_date=str(1950 + 3 * i),
        )
        for i in range(10)
    ]
    clusters = dedupe_records(records)
    assert len(set(clusters.values())) == 10


def test_dedupe_csv_writes_one_row_per_record(tmp_path):
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    with open(src, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            [
                "record_id",
                "household_ref",
                "given_name",
                "father_name",
                "family_name",
                "sex",
                "birth_date",
                "site",
            ]
        )
        for r in family("H1", "a", "ar") + family("H2", "b", "la"):
            w.writerow(
                [
                    r.record_id,
                    r.household_ref,
                    r.given_name,
                    r.father_name,
                    r.family_name,
                    r.sex,
                    r.birth_date,
                    r.site,
                ]
            )
    dedupe_csv(src, out, progress=False)
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert len(rows) == 6 and set(rows[0]) == {"record_id", "cluster_id"}


def test_matching_package_imports_without_django():
    code = (
        "import sys, refuge.matching.dedupe, refuge.matching.keys, refuge.matching.cli;"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
