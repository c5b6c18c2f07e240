"""Registering a household over the instant check's warnings.

A person the engine finds likely registered already is not saved until the clerk answers the
warning: add them to the household they already belong to, or register them as new and say
why. A registration made over a warning puts its pairs in the review queue at once, with that
reason, so a family typed twice is reviewed the same day rather than found by a later batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from refuge.audit import services as audit
from refuge.identity.models import CandidatePair
from refuge.identity.selectors import (
    INSTANT_CHECK,
    InstantMatch,
    household_matches,
    households_matches,
)
from refuge.identity.services import queue_new_pairs, queue_pair
from refuge.reception import services as reception
from refuge.registry import services as registry
from refuge.registry.models import Household, Person
from refuge.registry.vocabulary import RegistrationLevel, Relationship
from refuge.sites.models import Site

REASON_MAX_CHARS = 300


class Answer(models.TextChoices):
    NEW = "new", gettext_lazy("Continue as a new registration")
    JOIN = "join", gettext_lazy("Add this person to that household")


@dataclass(frozen=True)
class MatchAnswer:
    """The clerk's answer to the warning on one member."""

    choice: str
    household_id: int | None = None
    reason: str = ""


class RegistrationHeld(ValidationError):
    """Nothing was saved: some members need an answer to their warning. `warnings` holds the
    matches by member index, for the form to show them again."""

    def __init__(self, errors: dict[str, list[str]], warnings: dict[int, list[InstantMatch]]):
        super().__init__(errors)
        self.warnings = warnings


@dataclass
class RegistrationOutcome:
    household: Household
    joined: list[Person] = field(default_factory=list)
    queued: list[CandidatePair] = field(default_factory=list)


def registration_warnings(by, members: list[registry.MemberData]) -> dict[int, list[InstantMatch]]:
    """The instant check's matches for each member, by index (members without any left out)."""
    return household_matches(by, members)


def _answer_errors(
    members: list[registry.MemberData],
    warnings: dict[int, list[InstantMatch]],
    answers: dict[int, MatchAnswer],
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for index, matches in warnings.items():
        answer = answers.get(index)
        key = f"members-{index}-match_choice"
        if answer is None or answer.choice not in Answer.values:
            if any(m.is_likely for m in matches):
                errors[key] = [
                    _(
                        "This person is likely registered already: open the existing record, "
                        "add them to that household, or register them as new and say why."
                    )
                ]
            continue
        if answer.choice == Answer.NEW and not answer.reason.strip():
            errors[f"members-{index}-match_reason"] = [
                _("Say why this person is a new registration although a match was found.")
            ]
        if answer.choice == Answer.JOIN:
            if members[index].relationship == Relationship.HEAD:
                errors[key] = [
                    _(
                        "The head of a new household cannot join another household: open the "
                        "existing record instead."
                    )
                ]
            elif answer.household_id not in {m.person.household_id for m in matches}:
                errors[key] = [_("Choose one of the households shown.")]
    return errors


def register_household_checked(
    *,
    site: Site,
    members: list[registry.MemberData],
    answers: dict[int, MatchAnswer],
    consent_scopes: list[str],
    by,
    registered_on: date | None = None,
    phone: str = "",
    level: str = RegistrationLevel.FULL,
) -> RegistrationOutcome:
    """Register a household unless a member's likely match is unanswered (RegistrationHeld).

    Members answered "join" are added to the household they were matched with instead; the
    pairs of members registered as new over a warning are queued for review with the reason.
    Everything lands in one transaction, or nothing does."""
    warnings = registration_warnings(by, members)
    errors = _answer_errors(members, warnings, answers)
    if errors:
        audit.record(
            actor=by,
            action=audit.Action.SEARCH,
            object_type=INSTANT_CHECK,
            detail={
                "shown": sorted({m.person.pk for ms in warnings.values() for m in ms if m.person})
            },
        )
        # Outside the transaction below, so that the refusal's audit entry stays.
        raise RegistrationHeld(errors, warnings)
    with transaction.atomic():
        return _register(
            site, members, answers, warnings, consent_scopes, by, registered_on, phone, level
        )


def _register(site, members, answers, warnings, consent_scopes, by, registered_on, phone, level):
    def answer(index: int) -> MatchAnswer | None:
        return answers.get(index) if index in warnings else None

    joining = [i for i in range(len(members)) if (a := answer(i)) and a.choice == Answer.JOIN]
    staying = [i for i in range(len(members)) if i not in joining]
    household = reception.register_household(
        site=site,
        members=[members[i] for i in staying],
        consent_scopes=consent_scopes,
        by=by,
        registered_on=registered_on,
        phone=phone,
        level=level,
    )
    people = dict(zip(staying, household.registered_people, strict=True))
    outcome = RegistrationOutcome(household=household)
    for index in joining:
        target = Household.objects.get(pk=answers[index].household_id)
        outcome.joined.append(reception.add_member(household=target, member=members[index], by=by))

    for index, matches in warnings.items():
        given = answer(index)
        if given is None or given.choice != Answer.NEW:
            continue
        for match in matches:
            if match.comparison is None:
                continue
            pair = queue_pair(
                people[index],
                match.person,
                match.comparison,
                clerk_reason=given.reason.strip()[:REASON_MAX_CHARS],
            )
            if pair is None:
                continue
            outcome.queued.append(pair)
            # The reason is free text and may name people: it stays on the pair, not the trail.
            audit.record(
                actor=by,
                action=audit.Action.CREATE,
                target=pair,
                site_id=site.pk,
                detail={
                    "people": [pair.person_a_id, pair.person_b_id],
                    "registered_over_warning": True,
                },
            )
    return outcome


def register_households_as_new(
    *, site: Site, households: list[registry.NewHousehold], reason: str, by
) -> list[RegistrationOutcome]:
    """Register a chunk of households (an import) with every member answered "new" over any
    warning, as register_household_checked does for each with `reason`: the likely matches of
    each member go to the review queue with that reason, never merged. Each household is told
    what the instant check would have told it just before it was saved alone, in the order
    given: the people of the households before it in the chunk are among its candidates, its
    own and those after it are not. Everything lands in one transaction, or nothing does
    (registry.HouseholdsRefused names the households at fault)."""
    with transaction.atomic():
        made = reception.register_households(site=site, households=households, by=by)
        unseen, later = [], set()
        for household in reversed(made):
            later = later | {p.pk for p in household.registered_people}
            unseen.append(later)
        unseen.reverse()
        told = households_matches(by, [new.members for new in households], unseen=unseen)
        found, outcomes = [], []
        for household, warnings in zip(made, told, strict=True):
            outcomes.append(RegistrationOutcome(household=household))
            for index, matches in warnings.items():
                for match in matches:
                    if match.comparison is not None:
                        found.append(
                            (household.registered_people[index], match.person, match.comparison)
                        )
        queued = queue_new_pairs(found, clerk_reason=reason.strip()[:REASON_MAX_CHARS])
        people_of = {p.pk: o for o in outcomes for p in o.household.registered_people}
        for (new, _other, _comparison), pair in zip(found, queued, strict=True):
            people_of[new.pk].queued.append(pair)
        # The reason is free text and may name people: it stays on the pair, not the trail.
        audit.record_many(
            actor=by,
            action=audit.Action.CREATE,
            targets=queued,
            details=[
                {"people": [pair.person_a_id, pair.person_b_id], "registered_over_warning": True}
                for pair in queued
            ],
            site_id=site.pk,
        )
    return outcomes
