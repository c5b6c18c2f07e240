"""The matching engine's reasons as sentences a reviewer can read, in their language."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

FIELDS = {
    "given_name": gettext_lazy("Given name"),
    "father_name": gettext_lazy("Father's name"),
    "family_name": gettext_lazy("Family name"),
    "mother_name": gettext_lazy("Mother's name"),
}
NAME_CODES = {
    "exact": gettext_lazy("the same"),
    "agree_strong": gettext_lazy("the same name in another spelling or script"),
    "agree_weak": gettext_lazy("similar, but not clearly the same"),
    "typo": gettext_lazy("differs by what looks like a typing error"),
    "slip": gettext_lazy("one letter apart: a slip of the pen or another name"),
    "distinct_names": gettext_lazy("two different common names"),
    "disagree": gettext_lazy("different"),
}
OTHER = {
    ("names", "given_family_swapped"): gettext_lazy("Given and family names are swapped."),
    ("sex", "agree"): gettext_lazy("Same sex."),
    ("sex", "disagree"): gettext_lazy("Different sex."),
    ("birth_date", "exact"): gettext_lazy("Same birth date."),
    ("birth_date", "month_day_swapped"): gettext_lazy("Birth date with day and month swapped."),
    ("birth_date", "same_month_day_differs"): gettext_lazy(
        "Born in the same month, on another day."
    ),
    ("birth_date", "year_agrees"): gettext_lazy(
        "Same birth year (one of the dates is only a year, or 1 January)."
    ),
    ("birth_date", "same_year_date_differs"): gettext_lazy("Same birth year, different date."),
    ("birth_date", "year_off_by_one"): gettext_lazy("Birth years one apart."),
    ("birth_date", "year_off_by_one_same_day"): gettext_lazy(
        "Birth years one apart, on the same day and month."
    ),
    ("birth_date", "year_off_by_two"): gettext_lazy(
        "Birth years two apart, on the same day and month."
    ),
    ("birth_date", "year_differs"): gettext_lazy("Birth years too far apart for one person."),
    ("birth_date", "estimated_year_off_by_two"): gettext_lazy(
        "Birth years two apart, one of them only a year (perhaps estimated)."
    ),
    ("birth_date", "estimated_year_far"): gettext_lazy(
        "Birth years three to five apart, one of them only a year (perhaps estimated)."
    ),
    ("origin", "agree"): gettext_lazy("Same place of origin."),
    ("origin", "agree_within"): gettext_lazy(
        "Places of origin recorded at different levels: the district lies in the governorate."
    ),
    ("origin", "disagree"): gettext_lazy("Different places of origin."),
    ("document_number", "exact"): gettext_lazy("Same document number."),
    ("document_number", "near"): gettext_lazy("Document numbers differ by one character."),
    ("document_number", "disagree"): gettext_lazy("Different document numbers."),
    ("decision", "vetoed"): gettext_lazy(
        "Ruled out: a different given name or birth years too far apart mean another person "
        "(a twin, a father or a son)."
    ),
    ("decision", "same_document"): gettext_lazy(
        "Same personal document number: the different given name or birth year is taken "
        "for an error in one of the records."
    ),
    ("decision", "capped_weak_given_name"): gettext_lazy(
        "Given names only loosely similar: a person must decide."
    ),
}


def explain(field: str, code: str, params: dict | None = None) -> str | None:
    """One sentence for one reason, or None for evidence not worth showing (a missing field)."""
    params = params or {}
    if code == "missing":
        return None
    if field in FIELDS and code in NAME_CODES:
        sentence = _("%(field)s: %(verdict)s") % {
            "field": FIELDS[field],
            "verdict": NAME_CODES[code],
        }
        if code not in ("exact",) and params.get("a") and params.get("b"):
            sentence += f" ({params['a']} / {params['b']})"
        return sentence
    if field == "household" and code == "members_match":
        return _("%(pairs)d other members of the two households match each other.") % {
            "pairs": int(params.get("pairs", 0))
        }
    if field == "names" and code in ("combination", "given_family_combination"):
        # The records carrying the names, the pair among them: fewer than names chosen
        # independently would give raise the weight, more lower it.
        records = int(params.get("records", 0))
        if code == "combination":
            text = ngettext(
                "%(records)d registration carries these given, father's and family names.",
                "%(records)d registrations carry these given, father's and family names.",
                records,
            )
        else:
            text = ngettext(
                "%(records)d registration carries these given and family names (a father's "
                "name is missing).",
                "%(records)d registrations carry these given and family names (a father's "
                "name is missing).",
                records,
            )
        return text % {"records": records}
    text = OTHER.get((field, code))
    return str(text) if text is not None else None


def explain_all(reasons) -> list[str]:
    """Sentences for a list of engine reasons or of their JSON form."""
    out = []
    for r in reasons:
        if isinstance(r, dict):
            field, code, params = r["field"], r["code"], r.get("params", {})
        else:
            field, code, params = r.field, r.code, dict(r.params)
        sentence = explain(field, code, params)
        if sentence:
            out.append(sentence)
    return out
