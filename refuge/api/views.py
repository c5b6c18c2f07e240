"""The REST API's resources: each parses, calls the domain's selector or service (the same
ones the pages call), and renders. No rule lives here."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from refuge.accounts.access import visible_or_404
from refuge.accounts.roles import Capability
from refuge.api import serializers as s
from refuge.api.base import UPDATED_AFTER, DoorViewSet, PeopleCursorPage, updated_after
from refuge.api.problems import TooLarge
from refuge.casework import selectors as casework_selectors
from refuge.casework import services as casework
from refuge.casework.models import Partner, StepProgress
from refuge.casework.rules import StepUpdate
from refuge.fielddata import exports
from refuge.fielddata import selectors as fielddata_selectors
from refuge.fielddata import services as fielddata
from refuge.fielddata.models import ImportRun
from refuge.fielddata.readers import upload_format
from refuge.fielddata.views import XLSX_TYPE, export_response
from refuge.identity import selectors as identity_selectors
from refuge.identity import services as identity
from refuge.identity.explain import explain_all
from refuge.identity.models import CandidatePair
from refuge.identity.records import (
    engine_birth_date,
    personal_document_number,
    records_from_names,
)
from refuge.reception import services as reception
from refuge.registry import selectors as registry_selectors
from refuge.registry.models import NAME_FIELDS, Household, Person
from refuge.sites import selectors as site_selectors
from refuge.sites.models import Movement, Site
from refuge.tracing import selectors as tracing_selectors
from refuge.tracing import services as tracing
from refuge.tracing.models import Candidate as TracingCandidate
from refuge.tracing.models import TracingRequest

ROOMS_PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, description="Page number, 100 rooms a page."
)


def _pk(value) -> int:
    """A record id from the path; anything else is simply not found."""
    text = str(value)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise NotFound()
    return int(text)


def _site(pk: int) -> Site:
    # Sites are not personal data; whether the user may act there is the service's question.
    site = Site.objects.filter(pk=pk, is_active=True).first()
    if site is None:
        raise DjangoValidationError({"site": _("There is no such site.")})
    return site


def _page(view, request, queryset, serializer_class, object_type: str, key: str):
    page = registry_selectors.read_page(
        request.user, queryset, view.paginate_queryset, object_type=object_type, key=key
    )
    return view.get_paginated_response(serializer_class(page, many=True).data)


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_AFTER], responses=s.HouseholdSerializer(many=True)),
    retrieve=extend_schema(responses=s.HouseholdDetailSerializer),
)
class HouseholdViewSet(DoorViewSet):
    """Households with their members, documents, needs, consent and stays."""

    capability = Capability.VIEW_PEOPLE
    capabilities = {
        "create": Capability.REGISTER,
        "arrival": Capability.RECORD_HEADCOUNT,
        "departure": Capability.RECORD_HEADCOUNT,
    }
    serializer_class = s.HouseholdSerializer
    queryset = Household.objects.none()  # for the schema; rows come from the selectors

    def list(self, request):
        rows = updated_after(request, registry_selectors.households_for(request.user))
        return _page(self, request, rows, s.HouseholdSerializer, "registry.household", "rows")

    def retrieve(self, request, pk=None):
        household = self._household(request, pk, purpose="api household")
        return Response(_household_data(request, household))

    def _household(self, request, pk, *, purpose: str | None) -> Household:
        return visible_or_404(
            request, Household, registry_selectors.household_detail, _pk(pk), purpose=purpose
        )

    @extend_schema(request=s.HouseholdInput, responses={201: s.HouseholdDetailSerializer})
    def create(self, request):
        data = _valid(s.HouseholdInput, request.data)
        member_input = s.MemberInput()
        household = reception.register_household(
            site=_site(data["site"]),
            members=[
                member_input.to_member(
                    m, origin=data.get("origin"), origin_village=data["origin_village"]
                )
                for m in data["members"]
            ],
            consent_scopes=data["consent"],
            by=request.user,
            registered_on=data.get("registered_on"),
            phone=data["phone"],
        )
        household = registry_selectors.household_detail(request.user, household.pk, purpose=None)
        return Response(_household_data(request, household), status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.StaySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def stays(self, request, pk=None):
        household = self._household(request, pk, purpose="api stays")
        return Response(s.StaySerializer(household.stays.all(), many=True).data)

    @extend_schema(request=s.ArrivalInput, responses={201: s.StaySerializer})
    @action(detail=True, methods=["post"])
    def arrival(self, request, pk=None):
        household = self._household(request, pk, purpose=None)  # the arrival is audited
        data = _valid(s.ArrivalInput, request.data)
        stay = reception.record_arrival(
            household=household,
            site=_site(data["site"]),
            on=data.get("on") or timezone.localdate(),
            by=request.user,
        )
        return Response(s.StaySerializer(stay).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.DepartureInput, responses={200: s.StaySerializer})
    @action(detail=True, methods=["post"])
    def departure(self, request, pk=None):
        household = self._household(request, pk, purpose=None)  # the departure is audited
        data = _valid(s.DepartureInput, request.data)
        stay = reception.record_departure(
            household=household, on=data.get("on") or timezone.localdate(), by=request.user
        )
        return Response(s.StaySerializer(stay).data)


def _household_data(request, household: Household) -> dict:
    data = s.HouseholdDetailSerializer(household).data
    # The phone is for calling people who agreed to it, and only for some roles.
    if not registry_selectors.may_read_field(request.user, "household.phone", household):
        data["phone"] = None
    return data


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_view(
    list=extend_schema(parameters=[UPDATED_AFTER], responses=s.PersonSerializer(many=True)),
    retrieve=extend_schema(responses=s.PersonDetailSerializer),
    partial_update=extend_schema(request=s.PersonChanges, responses=s.PersonDetailSerializer),
)
class PersonViewSet(DoorViewSet):
    """People, their documents, needs and consent, their cases, notes and referrals."""

    capability = Capability.VIEW_PEOPLE
    capabilities = {
        "partial_update": Capability.EDIT_PEOPLE,
        "cases": Capability.VIEW_CASES,
        "notes": Capability.VIEW_CASES,
        "add_note": Capability.EDIT_CASES,
        "referrals": Capability.VIEW_CASES,
        "refer": Capability.EDIT_CASES,
    }
    read_actions = ("search",)
    pagination_class = PeopleCursorPage
    serializer_class = s.PersonSerializer
    queryset = Person.objects.none()

    def list(self, request):
        rows = updated_after(request, registry_selectors.people_for(request.user))
        return _page(self, request, rows, s.PersonSerializer, "registry.person", "people")

    def _person(self, request, pk, *, purpose: str | None) -> Person:
        return visible_or_404(
            request, Person, registry_selectors.person_detail, _pk(pk), purpose=purpose
        )

    def retrieve(self, request, pk=None):
        person = self._person(request, pk, purpose="api person")
        return Response(s.PersonDetailSerializer(person).data)

    def partial_update(self, request, pk=None):
        person = self._person(request, pk, purpose=None)  # the change is audited
        changes = _valid(s.PersonChanges, request.data)
        reception.update_person(person=person, changes=dict(changes), by=request.user)
        person = registry_selectors.person_detail(request.user, person.pk, purpose=None)
        return Response(s.PersonDetailSerializer(person).data)

    @extend_schema(request=s.SearchInput, responses=s.PersonSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)
    def search(self, request):
        """Names are personal data: they are sent in the body, never in the URL."""
        query = _valid(s.SearchInput, request.data)["q"]
        people = registry_selectors.search_people(request.user, query)  # audited there
        return Response(s.PersonSerializer(people, many=True).data)

    @extend_schema(responses=s.DocumentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def documents(self, request, pk=None):
        person = self._person(request, pk, purpose="api documents")
        return Response(s.DocumentSerializer(person.documents.all(), many=True).data)

    @extend_schema(responses=s.NeedSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def needs(self, request, pk=None):
        person = self._person(request, pk, purpose="api needs")
        return Response(s.NeedSerializer(person.needs.all(), many=True).data)

    @extend_schema(responses=s.ConsentSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def consents(self, request, pk=None):
        person = self._person(request, pk, purpose="api consents")
        return Response(s.ConsentSerializer(person.consents.all(), many=True).data)

    @extend_schema(responses=s.CaseSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def cases(self, request, pk=None):
        person = self._person(request, pk, purpose="api cases")
        cases = casework_selectors.person_cases(person, request.user)
        return Response(s.CaseSerializer(cases, many=True).data)

    @extend_schema(responses=s.NoteSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def notes(self, request, pk=None):
        """The notes of the domains your role reads (social, legal, psychosocial, medical)."""
        person = self._person(request, pk, purpose=None)  # reading the notes is audited
        notes = casework.read_notes(person=person, by=request.user)
        return Response(s.NoteSerializer([_note(n, text) for n, text in notes], many=True).data)

    @extend_schema(request=s.NoteInput, responses={201: s.NoteSerializer})
    @notes.mapping.post
    def add_note(self, request, pk=None):
        person = self._person(request, pk, purpose=None)  # the note is audited
        data = _valid(s.NoteInput, request.data)
        note = casework.add_note(
            person=person,
            domain=data["domain"],
            text=data["text"],
            by=request.user,
            step=self._step_of(request, data.get("step")),
        )
        return Response(s.NoteSerializer(_note(note, data["text"].strip())).data, status=201)

    def _step_of(self, request, pk):
        if pk is None:
            return None
        try:
            return casework_selectors.step_for(request.user, pk, purpose=None)
        except StepProgress.DoesNotExist:
            raise DjangoValidationError(
                {"step": _("That step is not on this person's case.")}
            ) from None

    @extend_schema(responses=s.ReferralSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def referrals(self, request, pk=None):
        person = self._person(request, pk, purpose="api referrals")
        rows = casework_selectors.referrals_of(person)
        return Response(s.ReferralSerializer(rows, many=True).data)

    @extend_schema(request=s.ReferralInput, responses={201: s.ReferralSerializer})
    @referrals.mapping.post
    def refer(self, request, pk=None):
        person = self._person(request, pk, purpose=None)  # the referral is audited
        data = _valid(s.ReferralInput, request.data)
        partner = Partner.objects.filter(pk=data["partner"]).first()
        if partner is None:
            raise DjangoValidationError({"partner": _("There is no such partner.")})
        referral = casework.refer(
            person=person,
            partner=partner,
            by=request.user,
            step=self._step_of(request, data.get("step")),
        )
        return Response(s.ReferralSerializer(referral).data, status=201)


def _note(note, text: str) -> dict:
    return {
        "id": note.pk,
        "domain": note.domain,
        "step": note.step_id,
        "text": text,
        "written_by": note.written_by.get_username() if note.written_by_id else None,
        "written_at": note.written_at,
    }


@extend_schema_view(
    retrieve=extend_schema(responses=s.StepSerializer),
    partial_update=extend_schema(request=s.StepInput, responses=s.StepSerializer),
)
class StepViewSet(DoorViewSet):
    """One step of a person's pathway; an update names the version it started from."""

    capability = Capability.VIEW_CASES
    capabilities = {"partial_update": Capability.EDIT_CASES}
    serializer_class = s.StepSerializer
    queryset = StepProgress.objects.none()

    def _step(self, request, pk, *, purpose: str | None) -> StepProgress:
        return visible_or_404(
            request, StepProgress, casework_selectors.step_for, _pk(pk), purpose=purpose
        )

    def retrieve(self, request, pk=None):
        return Response(s.StepSerializer(self._step(request, pk, purpose="api step")).data)

    def partial_update(self, request, pk=None):
        step = self._step(request, pk, purpose=None)  # the update is audited
        data = _valid(s.StepInput, request.data)
        casework.update_step(
            progress_id=step.pk,
            version=data["version"],
            update=StepUpdate(
                status=data["status"],
                outcome=data["outcome"],
                evidence=dict(data["evidence"]),
                blocked_reason=data["blocked_reason"],
                due_on=data["due_on"],
                owner_id=data["owner"],
            ),
            by=request.user,
        )
        step = casework_selectors.step_for(request.user, step.pk, purpose=None)
        return Response(s.StepSerializer(step).data)


@extend_schema_view(
    list=extend_schema(responses=s.SiteSerializer(many=True)),
    retrieve=extend_schema(responses=s.SiteSerializer),
)
class SiteViewSet(DoorViewSet):
    """Shelters, transit points and centres you work at; their rooms and beds."""

    capability = Capability.VIEW_OVERVIEW
    capabilities = {"rooms": Capability.VIEW_PEOPLE}
    serializer_class = s.SiteSerializer
    queryset = Site.objects.none()

    def list(self, request):
        page = self.paginate_queryset(site_selectors.visible_sites(request.user).order_by("pk"))
        return self.get_paginated_response(s.SiteSerializer(page, many=True).data)

    def _site(self, request, pk) -> Site:
        return visible_or_404(request, Site, site_selectors.site_for, _pk(pk))

    def retrieve(self, request, pk=None):
        return Response(s.SiteSerializer(self._site(request, pk)).data)

    @extend_schema(parameters=[ROOMS_PAGE], responses=s.RoomSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def rooms(self, request, pk=None):
        """The site's rooms, 100 a page, with their beds and the households sleeping there."""
        site = self._site(request, pk)
        number = request.query_params.get("page", "1")
        if not (number.isdigit() and len(number) < 7):
            raise DjangoValidationError({"page": _("Ask for a page by its number.")})
        _page_of_rooms, rows = site_selectors.rooms_page(request.user, site, int(number))
        for room, households in rows:
            room.households = households
        return Response(s.RoomSerializer([room for room, _ in rows], many=True).data)


@extend_schema_view(
    list=extend_schema(responses=s.TransferSerializer(many=True)),
    retrieve=extend_schema(responses=s.TransferSerializer),
)
class TransferViewSet(DoorViewSet):
    """Planned and past transfers between the sites you work at."""

    capability = Capability.VIEW_PEOPLE
    serializer_class = s.TransferSerializer
    queryset = Movement.objects.none()

    def list(self, request):
        rows = site_selectors.movements_for(request.user).prefetch_related("passengers")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.TransferSerializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        movement = visible_or_404(request, Movement, site_selectors.movement_for, _pk(pk))
        return Response(s.TransferSerializer(movement).data)


@extend_schema_view(list=extend_schema(responses=s.PartnerSerializer(many=True)))
class PartnerViewSet(DoorViewSet):
    """Partner organisations that take referrals."""

    capability = Capability.VIEW_CASES
    serializer_class = s.PartnerSerializer
    queryset = Partner.objects.none()

    def list(self, request):
        page = self.paginate_queryset(Partner.objects.filter(active=True).order_by("pk"))
        return self.get_paginated_response(s.PartnerSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(responses=s.PairSerializer(many=True)),
    retrieve=extend_schema(responses=s.PairSerializer),
)
class ReviewPairViewSet(DoorViewSet):
    """The review queue: possible duplicates, and the reviewer's decision on each."""

    capability = Capability.REVIEW_DUPLICATES
    serializer_class = s.PairSerializer
    queryset = CandidatePair.objects.none()

    def list(self, request):
        rows = identity_selectors.review_queue(request.user)
        return _page(self, request, rows, s.PairSerializer, "identity.queue", "pairs")

    def _pair(self, request, pk, *, purpose: str | None) -> CandidatePair:
        return visible_or_404(
            request, CandidatePair, identity_selectors.pair_for, _pk(pk), purpose=purpose
        )

    def retrieve(self, request, pk=None):
        return Response(s.PairSerializer(self._pair(request, pk, purpose="api review")).data)

    @extend_schema(request=s.DecisionInput, responses=s.PairSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        pair = self._pair(request, pk, purpose=None)  # the decision is audited
        data = _valid(s.DecisionInput, request.data)
        pair = identity.decide(pair=pair, status=data["status"], by=request.user)
        return Response(s.PairSerializer(pair).data)


class InstantCheckViewSet(DoorViewSet):
    """Is the person being registered already in the registry?"""

    capability = Capability.REGISTER
    read_actions = ("create",)
    serializer_class = s.InstantMatchSerializer
    pagination_class = None

    @extend_schema(request=s.InstantCheckInput, responses={200: s.InstantCheckSerializer})
    def create(self, request):
        data = _valid(s.InstantCheckInput, request.data)
        records = records_from_names(
            {f: data.get(f, "") for f in NAME_FIELDS},
            record_id="new",
            sex=data["sex"],
            birth_date=engine_birth_date(data["birth_date"], data["birth_date_precision"]),
            document_number=personal_document_number(
                data["document_type"], data["document_number"]
            ),
        )
        # Rate-limited, audited, and silent about people elsewhere: the domain's use case.
        result = identity_selectors.check_registration(request.user, records)
        return Response(s.InstantCheckSerializer(result).data)


@extend_schema_view(
    list=extend_schema(responses=s.TracingWorklistSerializer(many=True)),
    retrieve=extend_schema(responses=s.TracingRequestSerializer),
    create=extend_schema(
        request=s.TracingRequestInput, responses={201: s.TracingRequestSerializer}
    ),
)
class TracingRequestViewSet(DoorViewSet):
    """Family tracing requests: the worklist, a request as you may see it, opening one, and
    what the inquirer may be told."""

    capability = Capability.TRACE
    serializer_class = s.TracingRequestSerializer
    pagination_class = None
    queryset = TracingRequest.objects.none()  # for the schema; rows come from the selectors

    def list(self, request):
        rows = tracing_selectors.worklist(request.user, today=timezone.localdate())
        return Response(s.TracingWorklistSerializer(rows, many=True).data)

    def retrieve(self, request, pk=None):
        view = visible_or_404(request, TracingRequest, tracing_selectors.request_detail, _pk(pk))
        return Response(s.TracingRequestSerializer(view).data)

    def create(self, request):
        data = _valid(s.TracingRequestInput, request.data)
        sought = []
        for index, one in enumerate(data["sought"]):
            year = one.pop("birth_year", None)
            sought.append(
                tracing.SoughtData(
                    **one,
                    birth_date=date(year, 1, 1) if year else None,
                    prefix=f"sought-{index}",
                )
            )
        made = tracing.open_request(
            site=_site(data["site"]),
            inquirer=tracing.InquirerData(
                given_name=data["inquirer_given_name"],
                father_name=data["inquirer_father_name"],
                family_name=data["inquirer_family_name"],
                sex=data["inquirer_sex"],
                contact=data["inquirer_contact"],
                consents_to_trace_back=data["consents_to_trace_back"],
                consents_to_partners=data["consents_to_partners"],
            ),
            sought=sought,
            by=request.user,
        )
        view = tracing_selectors.request_detail(request.user, made.pk)
        return Response(s.TracingRequestSerializer(view).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.InquirerAnswerSerializer(many=True))
    @action(detail=True, methods=["get"])
    def answer(self, request, pk=None):
        """What the inquirer may be told: a refusal reads exactly as not found."""
        _request, answers = visible_or_404(
            request, TracingRequest, tracing_selectors.inquirer_answer, _pk(pk)
        )
        return Response(s.InquirerAnswerSerializer(answers, many=True).data)


def _candidate_data(candidate) -> dict:
    data = s.TracingCandidateSerializer(candidate).data
    sought = candidate.sought
    data["reasons"] = explain_all(candidate.reasons)
    data["sought"] = {
        "name": sought.name,
        "mother_name": sought.mother_name,
        "sex": sought.sex,
        "birth_year": str(sought.birth_date.year) if sought.birth_date else "",
        "last_seen_place": sought.last_seen_place,
    }
    return data


@extend_schema_view(retrieve=extend_schema(responses=s.TracingCandidateDetailSerializer))
class TracingCandidateViewSet(DoorViewSet):
    """Candidates at your sites: the side-by-side, the review, the sought person's answer."""

    capability = Capability.TRACE
    serializer_class = s.TracingCandidateDetailSerializer
    pagination_class = None
    queryset = TracingCandidate.objects.none()  # for the schema; rows come from the selectors

    def _candidate(self, request, pk, purpose):
        return visible_or_404(
            request, TracingCandidate, tracing_selectors.candidate_for, _pk(pk), purpose=purpose
        )

    def retrieve(self, request, pk=None):
        return Response(_candidate_data(self._candidate(request, pk, "api review")))

    @extend_schema(request=s.TracingReviewInput, responses=s.TracingCandidateSerializer)
    @action(detail=True, methods=["post"])
    def decision(self, request, pk=None):
        candidate = self._candidate(request, pk, None)
        data = _valid(s.TracingReviewInput, request.data)
        candidate = tracing.review_candidate(
            candidate=candidate, confirm=data["decision"] == "confirm", by=request.user
        )
        return Response(s.TracingCandidateSerializer(candidate).data)

    @extend_schema(request=s.TracingAnswerInput, responses={201: s.TracingCandidateSerializer})
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        candidate = self._candidate(request, pk, None)
        data = _valid(s.TracingAnswerInput, request.data)
        tracing.record_answer(candidate=candidate, by=request.user, **data)
        candidate.refresh_from_db()
        return Response(
            s.TracingCandidateSerializer(candidate).data, status=status.HTTP_201_CREATED
        )


def _too_large_upload() -> TooLarge:
    limit = settings.API_IMPORT_MAX_BYTES
    return TooLarge(
        _("The file is larger than %(size)s, the most an import takes here.")
        % {"size": filesizeformat(limit)},
        field="file",
    )


@extend_schema_view(
    list=extend_schema(responses=s.ImportRunSerializer(many=True)),
    retrieve=extend_schema(responses=s.ImportRunSerializer),
)
class ImportViewSet(DoorViewSet):
    """Imports of field registrations (KoBoToolbox, ODK, the person exchange CSV): start one
    from a file, follow its progress, read its report of rows that did not land."""

    capability = Capability.IMPORT_FIELD_DATA
    serializer_class = s.ImportRunSerializer
    queryset = ImportRun.objects.none()  # for the schema; rows come from the selectors

    parser_classes = [MultiPartParser]  # the one write here is a file upload

    def body_limit(self):
        if self.action == "create":
            # The file and the few fields beside it.
            return settings.API_IMPORT_MAX_BYTES + 64 * 1024, _too_large_upload()
        return super().body_limit()

    def list(self, request):
        page = self.paginate_queryset(fielddata_selectors.runs_for(request.user).order_by("pk"))
        return self.get_paginated_response(s.ImportRunSerializer(page, many=True).data)

    def _run(self, request, pk) -> ImportRun:
        return visible_or_404(request, ImportRun, fielddata_selectors.run_for, _pk(pk))

    def retrieve(self, request, pk=None):
        return Response(s.ImportRunSerializer(self._run(request, pk)).data)

    @extend_schema(
        request={"multipart/form-data": s.ImportInput},
        responses={202: s.ImportRunSerializer},
    )
    def create(self, request):
        """Queue a file for import by the background worker; follow it at its `id`."""
        upload = request.FILES.get("file")
        if upload is not None and upload.size > settings.API_IMPORT_MAX_BYTES:
            raise _too_large_upload()
        data = _valid(s.ImportInput, request.data)
        upload = data["file"]
        content = upload.read()
        run = fielddata.queue_upload(
            site=_site(data["site"]),
            by=request.user,
            file_name=Path(upload.name).name,
            data=content,
            fmt=upload_format(upload.name, content[:4096]),
            default_consent=data["consent"],
        )
        return Response(s.ImportRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=s.ImportProblemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def problems(self, request, pk=None):
        """The rows that did not land, with sheet, row, field and problem in the language of
        whoever started the run. The report names places in the file, never people."""
        run = self._run(request, pk)
        page = self.paginate_queryset(run.problems.order_by("pk"))
        return self.get_paginated_response(s.ImportProblemSerializer(page, many=True).data)


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's own type; the file itself is streamed past DRF's
    rendering, and a refusal still goes out as problem+json."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, renderer_context=renderer_context)


class CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv-file"


class XlsxRenderer(_FileRenderer):
    media_type = XLSX_TYPE
    format = "xlsx-file"


class ExportViewSet(DoorViewSet):
    """Exports of a site's people: only the roles that export, only people whose consent
    covers the recipient, only the fields your role reads; every export is audited."""

    capability = Capability.EXPORT_PEOPLE
    pagination_class = None
    renderer_classes = [JSONRenderer, CsvRenderer, XlsxRenderer]

    @extend_schema(
        parameters=[s.ExportQuery],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
        },
    )
    def list(self, request):
        """The export as a file, streamed: CSV (people, exchange, partner) or XLSX (people,
        households with their members on two sheets, partner)."""
        query = _valid(s.ExportQuery, request.query_params)
        site, layout, fmt = _site(query["site"]), query["layout"], query["file_format"]
        try:
            found = exports.export_people(user=request.user, site=site, layout=layout, fmt=fmt)
        except exports.ExportRefused:
            raise DjangoValidationError(
                {"file_format": _("This layout is not offered in this format.")}
            ) from None
        return export_response(found, site=site, layout=layout, fmt=fmt)
