"""A production-like registry by bulk insert, for benchmarks that need 100,000 people and cannot
wait for the services (which register about four people a second with every check and key).

The rows are the ones the services would have written, batch by batch: households (phone
encrypted), their stays, people with their name tokens and identity keys, documents (number
encrypted through refuge.encryption's field, and its blind index), specific needs, consents,
a case on the reception pathway with its step rows, and the audit entries of the registration
chained by audit.record_many, so `verify_audit` and a restore's checks hold as in production.
Nothing is matched and nobody is merged: this is the shape of the data, not its history.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

BATCH = 500


def load(households: int, seed: int = 2026, *, progress: bool = False) -> int:
    """Register `households` families at the demo sites by bulk insert; returns the people.

    With `progress`, each person has also gone some way along the pathway since: a random
    number of its steps done, in order, each some days after the one before and none after
    today (what the reporting funnel and its median days read), instead of the registration
    step alone."""
    from django.db import transaction
    from django.db.models import prefetch_related_objects

    from refuge.accounts.models import User
    from refuge.audit import services as audit
    from refuge.casework.models import Case, StepProgress, StepStatus
    from refuge.casework.pathways import applies, current_pathway, prerequisites_of
    from refuge.casework.rules import refresh_readiness
    from refuge.demo.population import VILLAGES, create_sites_and_staff, draw_household
    from refuge.identity.models import PersonKey
    from refuge.identity.services import keys_for
    from refuge.registry.models import (
        NAME_FIELDS,
        Consent,
        Document,
        Household,
        Need,
        Person,
        PersonNameToken,
        Place,
        document_number_index,
    )
    from refuge.registry.search import person_search_tokens
    from refuge.registry.vocabulary import ConsentScope
    from refuge.sites.models import Stay

    rng = random.Random(seed)
    today = date.today()
    sites = list(create_sites_and_staff().values())
    clerk = User.objects.get(username="clerk")
    districts = {p.pcode: p for p in Place.objects.filter(pcode__in=VILLAGES)}
    pathway = current_pathway()
    steps = list(pathway.steps.order_by("order"))
    prerequisites = prerequisites_of([pathway.pk])
    people = 0
    number = 0
    for start in range(0, households, BATCH):
        families = []
        for _ in range(min(BATCH, households - start)):
            pcode = rng.choice(list(VILLAGES))
            registered_on = today - timedelta(days=rng.randint(0, 365))
            members = draw_household(
                rng, registered_on, ("ar", "lat"), districts.get(pcode), rng.choice(VILLAGES[pcode])
            )
            families.append((registered_on, members))
        with transaction.atomic():
            rows = []
            for registered_on, _members in families:
                site = rng.choice(sites)
                number += 1
                rows.append(
                    Household(
                        registration_number=f"{site.code.upper()}-{number:07d}",
                        registered_at=site,
                        current_site=site,
                        registered_on=registered_on,
                        phone=f"+7912{rng.randint(0, 9_999_999):07d}",
                    )
                )
            saved = Household.objects.bulk_create(rows)
            Stay.objects.bulk_create(
                Stay(household=h, site=h.current_site, arrived_on=h.registered_on) for h in saved
            )
            pairs = [
                (h, m) for h, (_, members) in zip(saved, families, strict=True) for m in members
            ]
            persons = Person.objects.bulk_create(
                Person(
                    household=h,
                    relationship=m.relationship,
                    sex=m.sex,
                    birth_date=m.birth_date,
                    birth_date_precision=m.birth_date_precision,
                    origin=m.origin,
                    origin_village=m.origin_village,
                    **m.names,
                )
                for h, m in pairs
            )
            people += len(persons)
            documents = []
            for person, (_, member) in zip(persons, pairs, strict=True):
                for doc in member.documents or (
                    [] if person.relationship not in ("head", "spouse") else [None]
                ):
                    value = doc.number if doc else f"N{rng.randint(0, 99_999_999):08d}"
                    documents.append(
                        Document(
                            person=person,
                            doc_type=doc.doc_type if doc else "passport",
                            number=value,
                            # bulk_create skips Document.save(), which sets the index.
                            number_index=document_number_index(value),
                        )
                    )
            Document.objects.bulk_create(documents)
            # Each person's identity keys read their document: one query, not one per person.
            prefetch_related_objects(persons, "documents")
            Need.objects.bulk_create(
                Need(person=p, code=code, recorded_on=p.household.registered_on, recorded_by=clerk)
                for p, (_, m) in zip(persons, pairs, strict=True)
                for code in m.needs
            )
            Consent.objects.bulk_create(
                Consent(
                    person=p,
                    scopes=[ConsentScope.REGISTRATION, ConsentScope.TRACING],
                    given_on=p.household.registered_on,
                    recorded_by=clerk,
                )
                for p in persons
            )
            PersonNameToken.objects.bulk_create(
                PersonNameToken(person=p, token=t[:80])
                for p in persons
                for t in sorted(person_search_tokens({f: getattr(p, f) for f in NAME_FIELDS}))
            )
            PersonKey.objects.bulk_create(
                PersonKey(person=p, key=k[:160]) for p in persons for k in keys_for(p)
            )
            cases = Case.objects.bulk_create(
                Case(
                    person=p, pathway=pathway, opened_on=p.household.registered_on, opened_by=clerk
                )
                for p in persons
            )
            progress = []
            for case, person in zip(cases, persons, strict=True):
                opened = person.household.registered_on
                mine = [
                    StepProgress(
                        case=case,
                        step=s,
                        status_since=opened,
                        site_id=person.household.current_site_id,
                    )
                    for s in steps
                    if applies(s, person, opened)
                ]
                last = opened
                for row in mine:
                    if row.step.code == "reception_registration":
                        row.status, row.done_on = StepStatus.DONE, opened
                if progress:
                    for row in mine[: rng.randint(0, len(mine))]:
                        done_on = min(last + timedelta(days=rng.randint(0, 10)), today)
                        row.status, row.done_on, row.status_since = (
                            StepStatus.DONE,
                            done_on,
                            done_on,
                        )
                        last = done_on
                refresh_readiness(mine, prerequisites, last)
                progress.extend(mine)
            StepProgress.objects.bulk_create(progress, batch_size=5000)
            # The trail a registration leaves: the household and each person created, by id.
            audit.record_many(
                actor=clerk,
                action=audit.Action.CREATE,
                targets=saved,
                details=[{"members": len(m)} for _, m in families],
            )
            audit.record_many(
                actor=clerk,
                action=audit.Action.CREATE,
                targets=persons,
                details=[{"household": p.household_id} for p in persons],
            )
    return people
