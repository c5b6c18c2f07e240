from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from refuge.formats.widgets import IsoDateInput
from refuge.registry.dates import format_birth_date, parse_birth_date
from refuge.registry.models import NAME_PARTS, SCRIPTS, Person, Place
from refuge.registry.services import (
    EDITABLE_PERSON_FIELDS,
    MAX_MEMBERS,
    DocumentData,
    MemberData,
    household_errors,
    member_errors,
)
from refuge.registry.vocabulary import (
    ConsentScope,
    DatePrecision,
    DocumentType,
    Education,
    Language,
    RegistrationLevel,
    Relationship,
    Sex,
    SpecificNeed,
)

SCRIPT_LABELS = {"ar": _("Arabic script"), "lat": _("Latin"), "cyr": _("Cyrillic")}
PART_LABELS = {
    "given_name": _("Given name"),
    "father_name": _("Father's name"),
    "family_name": _("Family name"),
    "mother_name": _("Mother's name"),
}
SCRIPT_DIR = {"ar": "rtl", "lat": "ltr", "cyr": "ltr"}


def _name_field(part: str, script: str) -> forms.CharField:
    return forms.CharField(
        # Translators: a name box's label, e.g. "Given name (Cyrillic)".
        label=format_lazy(
            _("{part} ({script})"), part=PART_LABELS[part], script=SCRIPT_LABELS[script]
        ),
        max_length=80,
        required=False,
        widget=forms.TextInput(
            attrs={
                "dir": SCRIPT_DIR[script],
                "autocomplete": "off",
                "lang": {"ar": "ar", "lat": "en", "cyr": "ru"}[script],
            }
        ),
    )


class BirthDateField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Birth date"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("1983, 1983-04 or 17.04.1983"))
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "dir": "ltr"}))
        super().__init__(**kwargs)


class PersonFieldsMixin:
    """Turns the birth date text into a date and its precision, and checks the names."""

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["birth_date"], cleaned["birth_date_precision"] = parse_birth_date(
                cleaned.get("birth_date_text", ""),
                estimated=cleaned.get("birth_date_estimated", False),
            )
        except ValueError as exc:
            self.add_error("birth_date_text", str(exc))
            cleaned["birth_date"] = None  # go on: the clerk should see every problem at once
        names = {f"{p}_{s}": cleaned.get(f"{p}_{s}", "") for p in NAME_PARTS for s in SCRIPTS}
        check = MemberData(
            relationship=cleaned.get("relationship", ""),
            sex="",
            names=names,
            birth_date=cleaned.get("birth_date"),
        )
        for field, message in member_errors(check, timezone.localdate()).items():
            self.add_error("birth_date_text" if field == "birth_date" else field, message)
        return cleaned


class MemberForm(PersonFieldsMixin, forms.Form):
    relationship = forms.ChoiceField(label=_("Relationship to head"), choices=Relationship.choices)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date_text = BirthDateField()
    birth_date_estimated = forms.BooleanField(label=_("Estimated"), required=False)
    document_type = forms.ChoiceField(
        label=_("Document"), choices=[("", "—"), *DocumentType.choices], required=False
    )
    document_number = forms.CharField(
        label=_("Document number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr"}),
    )
    needs = forms.MultipleChoiceField(
        label=_("Specific needs"),
        choices=SpecificNeed.choices,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        initial=["ar"],
        widget=forms.CheckboxSelectMultiple,
    )
    profession = forms.CharField(label=_("Profession"), max_length=120, required=False)
    education = forms.ChoiceField(
        label=_("Education level"), choices=[("", "—"), *Education.choices], required=False
    )
    # The clerk's answer to the instant check's warning, rendered by the warning itself:
    # "new" or "join:<household id>".
    match_choice = forms.CharField(label=_("Already registered?"), max_length=24, required=False)
    match_reason = forms.CharField(
        label=_("Why is this a new registration?"), max_length=300, required=False
    )

    def __init__(self, *args, is_head: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.is_head = is_head
        self.warnings = []  # the instant check's matches, when the view has them
        for part in NAME_PARTS:
            for script in SCRIPTS:
                self.fields[f"{part}_{script}"] = _name_field(part, script)
        relationship = self.fields["relationship"]
        if is_head:
            relationship.choices = [(Relationship.HEAD, Relationship.HEAD.label)]
            relationship.initial = Relationship.HEAD
            relationship.widget = forms.HiddenInput()
        else:
            relationship.choices = [("", "—")] + [
                c for c in Relationship.choices if c[0] != Relationship.HEAD
            ]

    def name_rows(self):
        """Bound name fields grouped by part, for the template's grid."""
        return [(PART_LABELS[p], [self[f"{p}_{s}"] for s in SCRIPTS]) for p in NAME_PARTS]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("document_number") and not cleaned.get("document_type"):
            self.add_error("document_type", _("Choose the type of this document."))
        if cleaned.get("document_type") and not cleaned.get("document_number"):
            self.add_error("document_number", _("Enter the number of this document."))
        return cleaned

    def to_member(self, *, origin=None, origin_village: str = "") -> MemberData:
        data = self.cleaned_data
        documents = []
        if data.get("document_number"):
            documents.append(
                DocumentData(doc_type=data["document_type"], number=data["document_number"])
            )
        return MemberData(
            relationship=data["relationship"],
            sex=data["sex"],
            names={f"{p}_{s}": data.get(f"{p}_{s}", "") for p in NAME_PARTS for s in SCRIPTS},
            birth_date=data.get("birth_date"),
            birth_date_precision=data.get("birth_date_precision", DatePrecision.EXACT),
            origin=origin,
            origin_village=origin_village,
            languages=data.get("languages", []),
            profession=data.get("profession", ""),
            education=data.get("education", ""),
            documents=documents,
            needs=data.get("needs", []),
        )


class BaseMemberFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": _("A household is registered with at most %(num)d members at a time."),
    }

    def get_form_kwargs(self, index):
        return {"is_head": index == 0}

    def clean(self):
        if any(self.errors):
            return
        members = [f.to_member() for f in self.forms if f.has_changed() or f is self.forms[0]]
        for message in household_errors(members, timezone.localdate()):
            raise ValidationError(message)


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    min_num=1,
    # The head's row is always validated field by field; Django's generic "submit at least
    # 1 form" would only repeat, untranslated, what those field errors already say.
    validate_min=False,
    max_num=MAX_MEMBERS,
    validate_max=True,
)


class HouseholdForm(forms.Form):
    level = forms.ChoiceField(
        label=_("Registration level"),
        choices=RegistrationLevel.choices,
        initial=RegistrationLevel.FULL,
        required=False,
        widget=forms.RadioSelect,
    )
    # The sites the user registers at are handed in (the registry does not import sites).
    site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    registered_on = forms.DateField(label=_("Registration date"), widget=IsoDateInput())
    origin = forms.ModelChoiceField(
        label=_("Place of origin"), queryset=Place.objects.all(), required=False
    )
    origin_village = forms.CharField(label=_("Village or town"), max_length=120, required=False)
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel"}),
    )
    consent = forms.MultipleChoiceField(
        label=_("Consent given for"),
        choices=ConsentScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentScope.REGISTRATION],
        error_messages={
            "required": _("Record the family's consent to registration before saving.")
        },
    )

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        if sites.count() == 1:
            self.fields["site"].initial = sites.first()
        self.fields["registered_on"].initial = timezone.localdate()
        self.fields["origin"].queryset = Place.objects.select_related("parent")

    def clean_level(self):
        return self.cleaned_data["level"] or RegistrationLevel.FULL

    def clean_consent(self):
        scopes = self.cleaned_data["consent"]
        if ConsentScope.REGISTRATION not in scopes:
            raise ValidationError(_("Record the family's consent to registration before saving."))
        return scopes


class PersonEditForm(PersonFieldsMixin, forms.ModelForm):
    birth_date_text = BirthDateField()
    birth_date_estimated = forms.BooleanField(label=_("Estimated"), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Person
        fields = [
            *(f"{p}_{s}" for p in NAME_PARTS for s in SCRIPTS),
            "relationship",
            "sex",
            "origin",
            "origin_village",
            "profession",
            "education",
        ]
        widgets = {"sex": forms.RadioSelect}

    def __init__(self, *args, writable: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for part in NAME_PARTS:
            for script in SCRIPTS:
                self.fields[f"{part}_{script}"] = _name_field(part, script)
        person = self.instance
        self.fields["birth_date_text"].initial = format_birth_date(
            person.birth_date, person.birth_date_precision
        )
        self.fields["birth_date_estimated"].initial = (
            person.birth_date_precision == DatePrecision.ESTIMATED
        )
        self.fields["languages"].initial = person.languages
        if person.relationship == Relationship.HEAD:
            self.fields["relationship"].disabled = True
        else:
            self.fields["relationship"].choices = [
                c for c in Relationship.choices if c[0] != Relationship.HEAD
            ]
        if writable is not None:
            # Shown, but not editable, where the reader's role may not change them.
            form_fields = {"birth_date": ("birth_date_text", "birth_date_estimated")}
            for field in set(EDITABLE_PERSON_FIELDS) - writable:
                for name in form_fields.get(field, (field,)):
                    if name in self.fields:
                        self.fields[name].disabled = True

    name_rows = MemberForm.name_rows

    def changes(self) -> dict:
        data = self.cleaned_data
        fields = [*self.Meta.fields, "birth_date", "birth_date_precision", "languages"]
        return {f: data[f] for f in fields if f in data}
