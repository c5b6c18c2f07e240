from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.formats.widgets import IsoDateInput
from refuge.registry.dates import parse_birth_date
from refuge.registry.vocabulary import DatePrecision, Sex
from refuge.tracing.models import NAME_MAX, Outcome, Share, SoughtRelationship
from refuge.tracing.services import NOTE_MAX_CHARS, InquirerData, SoughtData

DATE_INPUT = IsoDateInput()
MAX_AGE = 120


class InquirerForm(forms.Form):
    inquirer_given_name = forms.CharField(label=_("Inquirer's given name"), max_length=NAME_MAX)
    inquirer_father_name = forms.CharField(
        label=_("Inquirer's father's name"), max_length=NAME_MAX, required=False
    )
    inquirer_family_name = forms.CharField(
        label=_("Inquirer's family name"), max_length=NAME_MAX, required=False
    )
    inquirer_sex = forms.ChoiceField(label=_("Inquirer's sex"), choices=Sex.choices)
    inquirer_contact = forms.CharField(label=_("How to reach the inquirer"), max_length=200)
    consents_to_trace_back = forms.BooleanField(
        label=_("The sought person may be told who is looking for them"), required=False
    )
    consents_to_partners = forms.BooleanField(
        label=_("The request may be shared with other tracing partners"), required=False
    )

    def inquirer(self) -> InquirerData:
        d = self.cleaned_data
        return InquirerData(
            given_name=d["inquirer_given_name"],
            father_name=d["inquirer_father_name"],
            family_name=d["inquirer_family_name"],
            sex=d["inquirer_sex"],
            contact=d["inquirer_contact"],
            consents_to_trace_back=d["consents_to_trace_back"],
            consents_to_partners=d["consents_to_partners"],
        )


class SoughtForm(forms.Form):
    given_name = forms.CharField(label=_("Given name (any script)"), max_length=NAME_MAX)
    father_name = forms.CharField(label=_("Father's name"), max_length=NAME_MAX, required=False)
    family_name = forms.CharField(label=_("Family name"), max_length=NAME_MAX, required=False)
    mother_name = forms.CharField(label=_("Mother's name"), max_length=NAME_MAX, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    relationship = forms.ChoiceField(
        label=_("Relationship to the inquirer"), choices=SoughtRelationship.choices
    )
    birth_date_text = forms.CharField(
        label=_("Born (year, month or date)"), max_length=10, required=False
    )
    age = forms.IntegerField(
        label=_("Or age, roughly"), min_value=0, max_value=MAX_AGE, required=False
    )
    last_seen_place = forms.CharField(label=_("Last seen where"), max_length=120, required=False)
    last_seen_on = forms.DateField(label=_("Last seen when"), required=False, widget=DATE_INPUT)
    circumstances = forms.CharField(
        label=_("Circumstances of separation"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    distinguishing = forms.CharField(
        label=_("Distinguishing details"), max_length=300, required=False
    )

    def clean(self):
        data = super().clean()
        text = data.get("birth_date_text") or ""
        try:
            born, precision = parse_birth_date(text)
        except ValueError as error:
            self.add_error("birth_date_text", str(error))
            return data
        if born is None and data.get("age") is not None:
            born = date(date.today().year - data["age"], 1, 1)
            precision = DatePrecision.ESTIMATED
        data["birth_date"], data["birth_date_precision"] = born, precision
        return data

    def sought(self) -> SoughtData:
        d = self.cleaned_data
        return SoughtData(
            given_name=d["given_name"],
            father_name=d["father_name"],
            family_name=d["family_name"],
            mother_name=d["mother_name"],
            sex=d["sex"],
            relationship=d["relationship"],
            birth_date=d.get("birth_date"),
            birth_date_precision=d.get("birth_date_precision") or DatePrecision.ESTIMATED,
            last_seen_place=d["last_seen_place"],
            last_seen_on=d["last_seen_on"],
            circumstances=d["circumstances"],
            distinguishing=d["distinguishing"],
            prefix=self.prefix or "sought-0",
        )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("confirm", _("This is the person sought")), ("dismiss", _("Not this person"))]
    )


class AnswerForm(forms.Form):
    agreed = forms.ChoiceField(
        label=_("Their answer"),
        choices=[
            ("yes", _("Agrees that the inquirer is told")),
            ("no", _("Does not agree: no information is given")),
        ],
        widget=forms.RadioSelect,
    )
    shares = forms.MultipleChoiceField(
        label=_("What may be told"),
        choices=Share.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    spoke_on = forms.DateField(label=_("Spoke to them on"), widget=DATE_INPUT)
    with_whom = forms.CharField(
        label=_("Guardian or caseworker present (for a child)"), max_length=120, required=False
    )


class DeceasedForm(forms.Form):
    told_in_person_by = forms.CharField(label=_("To be told in person by"), max_length=120)
    psychosocial_referral = forms.CharField(
        label=_("Psychosocial support referred to"), max_length=200
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Close as"),
        choices=[(Outcome.NOT_FOUND, Outcome.NOT_FOUND.label),
                 (Outcome.WITHDRAWN, Outcome.WITHDRAWN.label)],
    )  # fmt: skip


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )


class TakeOverForm(forms.Form):
    due_on = forms.DateField(label=_("Next review due"), required=False, widget=DATE_INPUT)
