"""Pathways as data: load a versioned definition, and decide which steps concern a person."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from refuge.accounts.access import require
from refuge.accounts.roles import Capability, Role
from refuge.audit import services as audit
from refuge.casework.models import AppliesTo, Pathway, StepDefinition
from refuge.registry.models import Person
from refuge.registry.vocabulary import Relationship

DEFAULT_PATHWAY = Path(__file__).resolve().parent / "fixtures" / "ru_reception.json"
ADULT_AGE = 18
SCHOOL_AGES = range(6, 18)
_OPTIONAL = {
    "name_ru": "",
    "name_ar": "",
    "applies_when": [],
    "evidence": [],
    "outcomes": [],
    "prerequisite_outcomes": {},
    "reference": "",
    "gates_travel": False,
}
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
    "prerequisite_outcomes",
    "source",
    "reference",
    "gates_travel",
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


def definition_errors(data) -> list[str]:
    """What is wrong with a pathway definition, in words an administrator can act on."""
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list):
        return [_("A pathway is an object with a country, a code, a name and a list of steps.")]
    errors = [
        _("The pathway needs a “%(field)s”.") % {"field": key}
        for key in ("country", "code", "name")
        if not data.get(key)
    ]
    codes = [s.get("code") for s in data["steps"] if isinstance(s, dict)]
    for number, step in enumerate(data["steps"], start=1):
        if not isinstance(step, dict):
            errors.append(_("Step %(number)d is not an object.") % {"number": number})
            continue
        label = step.get("code") or str(number)
        for key in (
            "code",
            "order",
            "name_en",
            "applies_to",
            "owner_role",
            "target_days",
            "source",
        ):
            if step.get(key) in (None, ""):
                errors.append(
                    _("Step %(step)s needs a “%(field)s”.") % {"step": label, "field": key}
                )
        for key in ("order", "target_days"):
            value = step.get(key)
            if value not in (None, "") and (
                not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 32767
            ):
                errors.append(
                    _("Step %(step)s: “%(field)s” must be a whole number of 0 or more.")
                    % {"step": label, "field": key}
                )
        if not isinstance(step.get("gates_travel", False), bool):
            errors.append(
                _("Step %(step)s: “%(field)s” is true or false.")
                % {"step": label, "field": "gates_travel"}
            )
        if step.get("applies_to") and step["applies_to"] not in AppliesTo.values:
            errors.append(
                _("Step %(step)s: “%(value)s” is not one of %(choices)s.")
                % {
                    "step": label,
                    "value": step["applies_to"],
                    "choices": ", ".join(AppliesTo.values),
                }
            )
        if step.get("owner_role") and step["owner_role"] not in Role.values:
            errors.append(
                _("Step %(step)s: “%(value)s” is not one of %(choices)s.")
                % {"step": label, "value": step["owner_role"], "choices": ", ".join(Role.values)}
            )
        for prerequisite in step.get("prerequisites", []):
            if prerequisite not in codes or prerequisite == step.get("code"):
                errors.append(
                    _(
                        "Step %(step)s: the prerequisite “%(value)s” is not another step "
                        "of this pathway."
                    )
                    % {"step": label, "value": prerequisite}
                )
        errors.extend(_prerequisite_outcome_errors(step, label, data["steps"]))
    if len(set(codes)) != len(codes):
        errors.append(_("Two steps share a code."))
    return errors


def _prerequisite_outcome_errors(step: dict, label: str, steps: list) -> list[str]:
    """Each outcome a step waits for must be an outcome of one of its own prerequisites."""
    wanted = step.get("prerequisite_outcomes") or {}
    if not isinstance(wanted, dict):
        return [
            _("Step %(step)s: “%(field)s” maps prerequisite codes to lists of their outcomes.")
            % {"step": label, "field": "prerequisite_outcomes"}
        ]
    outcomes = {
        s.get("code"): {o.get("code") for o in s.get("outcomes") or [] if isinstance(o, dict)}
        for s in steps
        if isinstance(s, dict)
    }
    errors = []
    for prerequisite, codes in wanted.items():
        if prerequisite not in (step.get("prerequisites") or []):
            errors.append(
                _(
                    "Step %(step)s waits for an outcome of “%(value)s”, which is not one of its "
                    "prerequisites."
                )
                % {"step": label, "value": prerequisite}
            )
            continue
        if not isinstance(codes, list) or not codes:
            errors.append(
                _("Step %(step)s: list the outcomes of “%(prerequisite)s” it waits for.")
                % {"step": label, "prerequisite": prerequisite}
            )
            continue
        errors.extend(
            _("Step %(step)s: “%(value)s” is not an outcome of “%(prerequisite)s”.")
            % {"step": label, "value": code, "prerequisite": prerequisite}
            for code in codes
            if code not in outcomes.get(prerequisite, set())
        )
    return errors


@transaction.atomic
def load_pathway(data: dict, *, by=None) -> Pathway:
    """Store a pathway definition; a changed definition becomes a new current version and the
    old version stays, with every case on it, untouched. A definition with errors is refused
    whole (ValidationError listing them), from the editor and from `refuge load_pathway` alike.
    `by` is the administrator saving it from the editor (None: the command or a migration)."""
    if by is not None:
        require(by, Capability.ADMINISTER)
    errors = definition_errors(data)
    if errors:
        raise ValidationError(errors)
    current = Pathway.objects.select_for_update().filter(code=data["code"], is_current=True).first()
    wanted = [
        {
            "code": s["code"],
            **{f: s[f] if s.get(f) is not None else _OPTIONAL.get(f) for f in _STEP_FIELDS},
            "prerequisites": sorted(s.get("prerequisites", [])),
        }
        for s in data["steps"]
    ]

    names = {
        "name": data["name"],
        **{f: str(data.get(f) or "")[:200] for f in ("name_ru", "name_ar")},
    }
    if current is not None and _definition(current) == wanted:
        # Renaming the pathway in a language changes no step: the same version, renamed.
        if any(getattr(current, f) != v for f, v in names.items()):
            for f, v in names.items():
                setattr(current, f, v)
            current.save(update_fields=list(names))
        return current
    version = current.version + 1 if current else 1
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    pathway = Pathway.objects.create(
        country=data["country"],
        code=data["code"],
        version=version,
        **names,
    )
    steps = {
        s["code"]: StepDefinition.objects.create(
            pathway=pathway, code=s["code"], **{f: s[f] for f in _STEP_FIELDS}
        )
        for s in wanted
    }
    for s in wanted:
        steps[s["code"]].prerequisites.set(steps[c] for c in s["prerequisites"])
    if by is not None:
        audit.record(
            actor=by,
            action=audit.Action.CREATE,
            target=pathway,
            detail={"code": pathway.code, "version": version},
        )
    return pathway


# The default pathway is about 20 KB; ten times that is still a pathway, not an attack.
DEFINITION_MAX_CHARS = 200_000


def parse_definition(text: str) -> dict:
    """A pathway definition as an administrator pastes it: JSON, of a bounded size."""
    if len(text) > DEFINITION_MAX_CHARS:
        raise ValidationError(
            _("A pathway definition holds at most %(count)d characters.")
            % {"count": DEFINITION_MAX_CHARS}
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(_("This is not valid JSON: %(error)s") % {"error": error}) from None


def pathway_definition(pathway: Pathway) -> dict:
    """The stored pathway as the JSON an administrator edits."""
    return {
        "country": pathway.country,
        "code": pathway.code,
        "name": pathway.name,
        "name_ru": pathway.name_ru,
        "name_ar": pathway.name_ar,
        "steps": _definition(pathway),
    }


def load_default_pathway() -> Pathway:
    return load_pathway(json.loads(DEFAULT_PATHWAY.read_text(encoding="utf-8")))


def current_pathway() -> Pathway | None:
    return Pathway.objects.filter(code=settings.CASEWORK_PATHWAY, is_current=True).first()


def prerequisites_of(pathway_ids) -> dict[int, frozenset[int]]:
    """Step id -> ids of its prerequisite steps, for every step of these pathway versions."""
    links = StepDefinition.prerequisites.through.objects.filter(
        from_stepdefinition__pathway_id__in=pathway_ids
    ).values_list("from_stepdefinition_id", "to_stepdefinition_id")
    result: dict[int, set[int]] = {}
    for from_id, to_id in links:
        result.setdefault(from_id, set()).add(to_id)
    return {k: frozenset(v) for k, v in result.items()}


def applies(step: StepDefinition, person: Person, today: date) -> bool:
    """Whether a step of the pathway concerns this person."""
    age = person.age_on(today)
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
        # Through the related manager's all(): a household's needs prefetched once serve every
        # step and member (casework.services.enrol_household).
        return any(need.code in step.applies_when for need in person.needs.all())
    return False
