from refuge.matching.compare import PreparedRecord, prior_log_odds
from refuge.matching.dedupe import candidate_pairs, name_frequencies
from refuge.matching.learn import estimate_model
from refuge.matching.records import PersonRecord

GIVEN = ["Ahmad", "Ali", "Samer", "Rami", "Fadi", "Nabil", "Wael", "Bassam", "Khaled", "Omar"]
FAMILY = ["Hassan", "Khoury", "Deeb", "Saleh", "Ibrahim", "Haddad", "Issa", "Makhlouf"]


def _population() -> list[PreparedRecord]:
    records = []
    for k in range(400):
        given, family = GIVEN[k % len(GIVEN)], FAMILY[(k // len(GIVEN)) % len(FAMILY)]
        father = GIVEN[(k * 7) % len(GIVEN)]
        year = 1950 + (k * 13) % 60
        for copy in range(2):  # each person registered twice, the second time in Arabic script
            records.append(
                PersonRecord(
                    f"{k}-{copy}",
                    given_name=given if copy == 0 else {"Ahmad": "أحمد"}.get(given, given),
                    father_name=father,
                    family_name=family,
                    sex="m",
                    birth_date=f"{year}-{1 + k % 12:02d}-{1 + k % 27:02d}",
                    document_number=f"N{k:07d}" if copy == 0 or k % 3 else "",
                )
            )
    return [PreparedRecord(r) for r in records]


def test_em_learns_that_the_same_birth_date_or_document_is_evidence_and_others_are_not():
    prepared = _population()
    left, right = candidate_pairs(prepared)
    model = estimate_model(
        prepared,
        left,
        right,
        name_frequencies(prepared),
        prior_log_odds(len(prepared)),
        sample=5000,
    )
    assert 0.0 < model.match_share < 1.0
    assert model.weights[("birth_date", "exact")] > 2.0
    assert model.weights[("document_number", "exact")] > 2.0
    assert model.weights[("birth_date", "year_differs")] < 0.0
    assert model.weights[("document_number", "disagree")] < -2.0
    rows = model.table()
    assert {r[0] for r in rows} >= {"given_name", "birth_date", "document_number"}
