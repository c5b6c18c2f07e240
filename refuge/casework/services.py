"""Use cases of casework: load a pathway definition, open a person's case on it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from refuge.audit import services as audit
from refuge.casework.models import AppliesTo, Case, Pathway, StepDefinition, StepProgress
from refuge.registry.models import Person
from refuge.registry.vocabulary import Relationship

DEFAULT_PATHWAY = Path(__file__).resolve().parent / "fixtures" / "ru_reception.json"
ADULT_AGE = 18
SCHOOL_AGES = range(6, 18)
_STEP_FIELDS = (
    "order",
    "name_en",
    "name_ru",
    "name_ar",
    "applies_to",
    "applies_when",
    "owner_role",
    "target_days",
    "evidence",
    "outcomes",
    "source",
    "reference",
)


def _definition(pathway: Pathway) -> list[dict]:
    return [
        {
            "code": s.code,
            **{f: getattr(s, f) for f in _STEP_FIELDS},
            "prerequisites": sorted(p.code for p in s.prerequisites.all()),
        }
        for s in pathway.steps.prefetch_related("prerequisites").order_by("order")
    ]


@transaction.atomic
def load_pathway(data: dict) -> Pathway:
    """Store a pathway definition; a changed definition becomes a new current version and the
    old version stays, with every case on it, untouched."""
    current = Pathway.objects.select_for_update().filter(code=data["code"], is_current=True).first()
    wanted = [
        {
            "code": s["code"],
            **{f: s.get(f, "" if f == "reference" else None) for f in _STEP_FIELDS},
            "prerequisites": sorted(s.get("prerequisites", [])),
        }
        for s in data["steps"]
    ]
    if current is not None and _definition(current) == wanted:
        return current
    version = current.version + 1 if current else 1
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    pathway = Pathway.objects.create(
        country=data["country"], code=data["code"], version=version, name=data["name"]
    )
    steps = {
        s["code"]: StepDefinition.objects.create(
            pathway=pathway, code=s["code"], **{f: s[f] for f in _STEP_FIELDS}
        )
        for s in wanted
    }
    for s in wanted:
        steps[s["code"]].prerequisites.set(steps[c] for c in s["prerequisites"])
    return pathway


def load_default_pathway() -> Pathway:
    return load_pathway(json.loads(DEFAULT_PATHWAY.read_text(encoding="utf-8")))


def _age(person: Person, today: date) -> int | None:
    if person.birth_date is None:
        return None
    return (today - person.birth_date).days // 365


def applies(step: StepDefinition, person: Person, today: date) -> bool:
    """Whether a step of the pathway concerns this person."""
    age = _age(person, today)
    rule = step.applies_to
    if rule == AppliesTo.EVERYONE:
        return True
    if rule == AppliesTo.HOUSEHOLD:
        return person.relationship == Relationship.HEAD
    if rule == AppliesTo.ADULTS:
        return age is None or age >= ADULT_AGE
    if rule == AppliesTo.SCHOOL_AGE:
        return age is not None and age in SCHOOL_AGES
    if rule == AppliesTo.REGULATED_PROFESSION:
        profession = person.profession.strip().lower()
        return bool(profession) and any(p in profession for p in step.applies_when)
    if rule == AppliesTo.SPECIFIC_NEED:
        return person.needs.filter(code__in=step.applies_when).exists()
    return False


@transaction.atomic
def open_case(
    *, person: Person, by, pathway: Pathway | None = None, on: date | None = None
) -> Case:
    """Put a person on the current pathway of their host country, with the steps that apply."""
    on = on or timezone.localdate()
    pathway = pathway or Pathway.objects.get(code="ru-reception", is_current=True)
    case, created = Case.objects.get_or_create(
        person=person, pathway=pathway, defaults={"opened_on": on, "opened_by": by}
    )
    if not created:
        return case
    StepProgress.objects.bulk_create(
        StepProgress(case=case, step=step, due_on=on + timedelta(days=step.target_days))
        for step in pathway.steps.all()
        if applies(step, person, on)
    )
    audit.record(
        actor=by,
        action=audit.Action.CREATE,
        target=case,
        site_id=person.household.audit_site_id,
        detail={"pathway": f"{pathway.code} v{pathway.version}"},
    )
    return case
