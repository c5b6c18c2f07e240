"""What the API reads and writes. Output serializers only describe rows the domain handed
over; input serializers bound every field and turn the body into the services' arguments."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from refuge.casework.models import Domain, Referral, StepProgress, StepStatus
from refuge.fielddata.exports import FORMATS, LAYOUTS
from refuge.fielddata.models import ImportRun
from refuge.fielddata.readers import UPLOAD_SUFFIXES
from refuge.identity.models import CandidatePair, PairStatus
from refuge.registry.models import (
    NAME_FIELDS,
    Consent,
    Document,
    Household,
    Need,
    Person,
    Place,
)
from refuge.registry.services import DocumentData, MemberData
from refuge.registry.vocabulary import (
    ConsentScope,
    DatePrecision,
    DocumentType,
    Education,
    Language,
    Relationship,
    Sex,
    SpecificNeed,
)
from refuge.sites.models import Movement, Site, Stay

MAX_MEMBERS = 40  # as on the registration page
NAME_MAX = 80


# Reading


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "doc_type", "number", "issuer", "expires_on"]


class NeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = Need
        fields = ["id", "code", "status", "recorded_on"]


class ConsentSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(ConsentScope.choices))

    class Meta:
        model = Consent
        fields = ["id", "scopes", "given_on", "given_by_guardian", "withdrawn_on"]


_MOMENT = serializers.DateTimeField()


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


class PersonSerializer(serializers.ModelSerializer):
    """The declared fields describe a person in the schema; `to_representation` writes the
    same row by hand, because building DRF's 25 fields for each of a page's 50 people cost
    most of a page's time."""

    origin = serializers.SlugRelatedField(slug_field="pcode", read_only=True, allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())

    def to_representation(self, person):
        return {
            "id": person.pk,
            "household": person.household_id,
            "relationship": person.relationship,
            **{name: getattr(person, name) for name in NAME_FIELDS},
            "sex": person.sex,
            "birth_date": _date(person.birth_date),
            "birth_date_precision": person.birth_date_precision,
            "origin": person.origin.pcode if person.origin_id else None,
            "origin_village": person.origin_village,
            "languages": list(person.languages),
            "profession": person.profession,
            "education": person.education,
            "missing_since": _date(person.missing_since),
            "updated_at": _MOMENT.to_representation(person.updated_at),
        }

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "relationship",
            *NAME_FIELDS,
            "sex",
            "birth_date",
            "birth_date_precision",
            "origin",
            "origin_village",
            "languages",
            "profession",
            "education",
            "missing_since",
            "updated_at",
        ]


class PersonDetailSerializer(PersonSerializer):
    documents = DocumentSerializer(many=True, read_only=True)
    needs = NeedSerializer(many=True, read_only=True)
    consents = ConsentSerializer(many=True, read_only=True)

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "documents", "needs", "consents"]

    def to_representation(self, person):
        return {
            **super().to_representation(person),
            "documents": DocumentSerializer(person.documents.all(), many=True).data,
            "needs": NeedSerializer(person.needs.all(), many=True).data,
            "consents": ConsentSerializer(person.consents.all(), many=True).data,
        }


class StaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Stay
        fields = ["id", "site", "arrived_on", "left_on"]


class HouseholdSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = [
            "id",
            "registration_number",
            "registered_at",
            "current_site",
            "registered_on",
            "updated_at",
        ]


class HouseholdDetailSerializer(HouseholdSerializer):
    phone = serializers.CharField(
        allow_null=True, help_text="Null when your role, or the family's consent, withholds it."
    )
    members = PersonDetailSerializer(many=True, read_only=True)
    stays = StaySerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "phone", "members", "stays"]


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "code", "name", "kind", "region", "country", "capacity", "is_active"]


class RoomSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    building = serializers.CharField(source="building.name")
    name = serializers.CharField()
    accessible = serializers.BooleanField()
    family_room = serializers.BooleanField()
    women_only = serializers.BooleanField()
    beds_total = serializers.IntegerField()
    beds_taken = serializers.IntegerField()
    free_beds = serializers.IntegerField()
    households = serializers.ListField(
        child=serializers.CharField(), help_text="Registration numbers of who sleeps there."
    )


class TransferSerializer(serializers.ModelSerializer):
    passengers = serializers.IntegerField(source="passengers.count", read_only=True)

    class Meta:
        model = Movement
        fields = [
            "id",
            "from_site",
            "to_site",
            "planned_on",
            "means",
            "seats",
            "status",
            "departed_on",
            "arrived_on",
            "passengers",
        ]


class StepSerializer(serializers.ModelSerializer):
    # Blank outcome and evidence, and `findings_withheld`, where the role may not read them.
    findings_withheld = serializers.BooleanField(default=False)
    code = serializers.CharField(source="step.code")
    name = serializers.CharField(source="step.name")
    person = serializers.IntegerField(source="case.person_id")
    evidence = serializers.DictField()
    note_count = serializers.IntegerField(required=False, default=0)

    class Meta:
        model = StepProgress
        fields = [
            "id",
            "person",
            "code",
            "name",
            "status",
            "outcome",
            "evidence",
            "blocked_reason",
            "owner",
            "due_on",
            "ready_since",
            "status_since",
            "done_on",
            "version",
            "findings_withheld",
            "note_count",
            "updated_at",
        ]


class CaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    pathway = serializers.CharField(source="pathway.code")
    pathway_version = serializers.IntegerField(source="pathway.version")
    opened_on = serializers.DateField()
    steps = StepSerializer(many=True, source="steps.all")


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    domain = serializers.ChoiceField(Domain.choices)
    step = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    written_by = serializers.CharField(allow_null=True)
    written_at = serializers.DateTimeField()


class ReferralSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name")

    class Meta:
        model = Referral
        fields = [
            "id",
            "person",
            "partner",
            "partner_name",
            "step",
            "status",
            "referred_on",
            "status_since",
        ]


class PartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    region = serializers.CharField()


class PairSerializer(serializers.ModelSerializer):
    class Meta:
        model = CandidatePair
        fields = ["id", "person_a", "person_b", "probability", "status"]


class InstantMatchSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    site_name = serializers.CharField()
    probability = serializers.FloatField()
    decision = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())


class InstantCheckSerializer(serializers.Serializer):
    matches = InstantMatchSerializer(many=True, help_text="Possible matches at your sites.")
    elsewhere = serializers.BooleanField(
        help_text="A possible match exists at a site you do not work at; its coordinator has "
        "been told."
    )


# Writing


def _name_fields() -> dict:
    return {
        name: serializers.CharField(max_length=NAME_MAX, required=False, allow_blank=True)
        for name in NAME_FIELDS
    }


class DocumentInput(serializers.Serializer):
    doc_type = serializers.ChoiceField(DocumentType.choices)
    number = serializers.CharField(max_length=40)
    issuer = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class MemberInput(serializers.Serializer):
    relationship = serializers.ChoiceField(Relationship.choices)
    sex = serializers.ChoiceField(Sex.choices)
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    birth_date_precision = serializers.ChoiceField(
        DatePrecision.choices, required=False, default=DatePrecision.EXACT
    )
    languages = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), max_length=10, required=False, default=list
    )
    profession = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    education = serializers.ChoiceField(
        [("", "—"), *Education.choices], required=False, allow_blank=True, default=""
    )
    documents = DocumentInput(many=True, required=False, default=list, max_length=10)
    needs = serializers.ListField(
        child=serializers.ChoiceField(SpecificNeed.choices),
        max_length=30,
        required=False,
        default=list,
    )

    def get_fields(self):
        return {**_name_fields(), **super().get_fields()}

    def to_member(self, data: dict, *, origin, origin_village: str) -> MemberData:
        return MemberData(
            relationship=data["relationship"],
            sex=data["sex"],
            names={name: data.get(name, "") for name in NAME_FIELDS},
            birth_date=data.get("birth_date"),
            birth_date_precision=data.get("birth_date_precision", DatePrecision.EXACT),
            origin=origin,
            origin_village=origin_village,
            languages=data.get("languages", []),
            profession=data.get("profession", ""),
            education=data.get("education", ""),
            documents=[DocumentData(**d) for d in data.get("documents", [])],
            needs=data.get("needs", []),
        )


class HouseholdInput(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    registered_on = serializers.DateField(required=False)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    origin = serializers.SlugRelatedField(
        slug_field="pcode",
        queryset=Place.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    origin_village = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )
    consent = serializers.ListField(
        child=serializers.ChoiceField(ConsentScope.choices), min_length=1, max_length=10
    )
    members = MemberInput(many=True, min_length=1, max_length=MAX_MEMBERS)


class PersonChanges(serializers.Serializer):
    relationship = serializers.ChoiceField(Relationship.choices, required=False)
    sex = serializers.ChoiceField(Sex.choices, required=False)
    birth_date = serializers.DateField(required=False, allow_null=True)
    birth_date_precision = serializers.ChoiceField(DatePrecision.choices, required=False)
    origin = serializers.SlugRelatedField(
        slug_field="pcode", queryset=Place.objects.all(), required=False, allow_null=True
    )
    origin_village = serializers.CharField(max_length=120, required=False, allow_blank=True)
    languages = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), max_length=10, required=False
    )
    profession = serializers.CharField(max_length=120, required=False, allow_blank=True)
    education = serializers.ChoiceField(
        [("", "—"), *Education.choices], required=False, allow_blank=True
    )

    def get_fields(self):
        return {**_name_fields(), **super().get_fields()}


class ArrivalInput(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    on = serializers.DateField(required=False)


class DepartureInput(serializers.Serializer):
    on = serializers.DateField(required=False)


class StepInput(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    status = serializers.ChoiceField(StepStatus.choices)
    outcome = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    evidence = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        default=dict,
    )
    blocked_reason = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    owner = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )

    def validate_evidence(self, value):
        if len(value) > 20 or any(len(key) > 40 for key in value):
            raise serializers.ValidationError(_("At most 20 pieces of evidence."))
        return value

    def validate_owner(self, value):
        # Staff, not the people in the registry: who may own a step is the domain's rule.
        if (
            value is not None
            and not get_user_model().objects.filter(pk=value, is_active=True).exists()
        ):
            raise serializers.ValidationError(_("There is no such member of staff."))
        return value


class NoteInput(serializers.Serializer):
    domain = serializers.ChoiceField(Domain.choices)
    text = serializers.CharField(max_length=20_000)
    step = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )


class ReferralInput(serializers.Serializer):
    partner = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    step = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, allow_null=True, default=None
    )


class DecisionInput(serializers.Serializer):
    status = serializers.ChoiceField([c for c in PairStatus.choices if c[0] != PairStatus.OPEN])


class SearchInput(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        help_text="A registration number, a document number, or the start of names in any script.",
    )


class InstantCheckInput(serializers.Serializer):
    sex = serializers.ChoiceField(
        [("", "—"), *Sex.choices], required=False, allow_blank=True, default=""
    )
    birth_date = serializers.DateField(required=False, allow_null=True, default=None)
    birth_date_precision = serializers.ChoiceField(
        DatePrecision.choices, required=False, default=DatePrecision.EXACT
    )
    document_type = serializers.ChoiceField(
        [("", "—"), *DocumentType.choices], required=False, allow_blank=True, default=""
    )
    document_number = serializers.CharField(
        max_length=40, required=False, allow_blank=True, default=""
    )

    def get_fields(self):
        return {**_name_fields(), **super().get_fields()}


# Family tracing


class TracingSoughtInput(serializers.Serializer):
    given_name = serializers.CharField(max_length=80, help_text="In any script.")
    father_name = serializers.CharField(max_length=80, required=False, default="")
    family_name = serializers.CharField(max_length=80, required=False, default="")
    mother_name = serializers.CharField(max_length=80, required=False, default="")
    sex = serializers.ChoiceField(
        [("", "—"), *Sex.choices], required=False, allow_blank=True, default=""
    )
    relationship = serializers.CharField(max_length=10)
    birth_year = serializers.IntegerField(
        min_value=1900, max_value=2100, required=False, help_text="Approximate."
    )
    last_seen_place = serializers.CharField(max_length=120, required=False, default="")
    last_seen_on = serializers.DateField(required=False, allow_null=True, default=None)
    circumstances = serializers.CharField(max_length=1000, required=False, default="")
    distinguishing = serializers.CharField(max_length=300, required=False, default="")


class TracingRequestInput(serializers.Serializer):
    site = serializers.IntegerField()
    inquirer_given_name = serializers.CharField(max_length=80)
    inquirer_father_name = serializers.CharField(max_length=80, required=False, default="")
    inquirer_family_name = serializers.CharField(max_length=80, required=False, default="")
    inquirer_sex = serializers.ChoiceField(Sex.choices)
    inquirer_contact = serializers.CharField(max_length=200)
    consents_to_trace_back = serializers.BooleanField(required=False, default=False)
    consents_to_partners = serializers.BooleanField(required=False, default=False)
    sought = TracingSoughtInput(many=True, max_length=10, min_length=1)


class TracingCandidateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField(source="person_id", allow_null=True)
    other_request = serializers.IntegerField(source="other_request_id", allow_null=True)
    site = serializers.IntegerField(source="site_id")
    probability = serializers.FloatField()
    status = serializers.CharField()


class TracingTraceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="sought.pk")
    name = serializers.CharField(source="sought.name")
    relationship = serializers.CharField(source="sought.relationship")
    status = serializers.CharField(
        help_text="As you may read it: the inquirer's side reads "
        "'being traced' until the trace closes."
    )
    candidates = TracingCandidateSerializer(many=True, help_text="Those at your sites.")


class TracingRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="request.pk")
    reference = serializers.CharField(source="request.reference")
    site = serializers.IntegerField(source="request.site_id")
    opened_on = serializers.DateField(source="request.opened_on")
    due_on = serializers.DateField(source="request.due_on")
    closed_on = serializers.DateField(source="request.closed_on", allow_null=True)
    inquirer_side = serializers.BooleanField()
    traces = TracingTraceSerializer(many=True)


class TracingWorklistSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="request.pk")
    reference = serializers.CharField(source="request.reference")
    site = serializers.IntegerField(source="request.site_id")
    due_on = serializers.DateField(source="request.due_on")
    inquirer_side = serializers.BooleanField()
    to_review = serializers.IntegerField()
    to_ask = serializers.IntegerField()


class InquirerAnswerSerializer(serializers.Serializer):
    sought = serializers.CharField()
    status = serializers.CharField()
    shares = serializers.ListField(child=serializers.CharField())
    told_in_person_by = serializers.CharField()
    psychosocial_referral = serializers.CharField()


class TracingCandidateDetailSerializer(TracingCandidateSerializer):
    reasons = serializers.ListField(child=serializers.CharField())
    sought = serializers.DictField(child=serializers.CharField())


class TracingReviewInput(serializers.Serializer):
    decision = serializers.ChoiceField(["confirm", "dismiss"])


class TracingAnswerInput(serializers.Serializer):
    agreed = serializers.BooleanField()
    shares = serializers.ListField(
        child=serializers.CharField(max_length=10), max_length=3, required=False, default=list
    )
    spoke_on = serializers.DateField()
    with_whom = serializers.CharField(max_length=120, required=False, default="")


# Field data: imports and exports (refuge.fielddata)


class ImportRunSerializer(serializers.ModelSerializer):
    """An import run: what it read, how far it got, and what landed."""

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "site",
            "file_name",
            "format",
            "status",
            "total",
            "processed",
            "landed",
            "unchanged",
            "edits",
            "failed",
            "started_at",
            "finished_at",
        ]


class ImportProblemSerializer(serializers.Serializer):
    """A row that did not land: where it is in the file and what is wrong (no values)."""

    sheet = serializers.CharField()
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportInput(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    file = serializers.FileField(
        max_length=200,
        help_text="A KoBoToolbox XLSX export, a KoBo or ODK CSV (or ODK Central's zip of CSV "
        "files), ODK Central's OData JSON, or a person exchange CSV; at most "
        "REFUGE_API_IMPORT_MAX_BYTES.",
    )
    consent = serializers.ListField(
        child=serializers.ChoiceField(choices=ConsentScope.choices),
        required=False,
        default=list,
        max_length=len(ConsentScope.choices),
        help_text="Consent recorded outside the file, for files that do not record it (the "
        "person exchange CSV).",
    )

    def validate_file(self, upload):
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise serializers.ValidationError(_("Unknown format."))
        return upload


class ExportQuery(serializers.Serializer):
    site = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    layout = serializers.ChoiceField(choices=list(LAYOUTS.items()))
    file_format = serializers.ChoiceField(choices=list(FORMATS), default="csv")
