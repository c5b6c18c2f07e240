from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.accounts.models import User
from refuge.accounts.roles import GRANTS, Capability
from refuge.casework.models import (
    AttachmentKind,
    Domain,
    EvidenceKind,
    Partner,
    ReferralStatus,
    StepDefinition,
    StepProgress,
    StepStatus,
)
from refuge.casework.rules import StepUpdate, evidence_key
from refuge.casework.selectors import WAITING_DAYS_DEFAULT, Worklist
from refuge.casework.services import NOTE_MAX_CHARS
from refuge.formats.widgets import IsoDateInput
from refuge.params import record_id

DATE_INPUT = IsoDateInput()


def staff_who_can_edit(site_id: int | None):
    roles = [role for role, granted in GRANTS.items() if Capability.EDIT_CASES in granted]
    staff = User.objects.filter(is_active=True, role__in=roles)
    if site_id is not None:
        staff = staff.filter(sites=site_id) | staff.filter(all_sites=True)
    return staff.distinct().order_by("username")


def _add_update_fields(form: forms.Form, step: StepDefinition, *, required_status=True) -> None:
    form.fields["status"] = forms.ChoiceField(label=_("Status"), choices=StepStatus.choices)
    form.fields["outcome"] = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *step.outcome_choices], required=False
    )
    for item in step.evidence_items:
        if item.get("kind") == EvidenceKind.DATE:
            field = forms.DateField(label=item["text"], required=False, widget=DATE_INPUT)
        else:
            field = forms.CharField(label=item["text"], required=False, max_length=200)
        form.fields[evidence_key(item["code"])] = field
    form.fields["blocked_reason"] = forms.CharField(
        label=_("Why blocked"), required=False, max_length=200
    )


def _update_from(form: forms.Form, step: StepDefinition) -> StepUpdate:
    data = form.cleaned_data
    return StepUpdate(
        status=data["status"],
        outcome=data.get("outcome", ""),
        evidence={item["code"]: data.get(evidence_key(item["code"])) for item in step.evidence},
        blocked_reason=data.get("blocked_reason", ""),
        due_on=data.get("due_on"),
        owner_id=data["owner"].pk if data.get("owner") else None,
    )


class StepForm(forms.Form):
    """One step of one person: status, outcome, evidence, owner, due date."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, progress: StepProgress, **kwargs):
        evidence = {evidence_key(k): v for k, v in progress.evidence.items()}
        initial = {
            "version": progress.version,
            "status": progress.status,
            "outcome": progress.outcome,
            "blocked_reason": progress.blocked_reason,
            "owner": progress.owner_id,
            "due_on": progress.due_on,
            **evidence,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.progress = progress
        _add_update_fields(self, progress.step)
        self.fields["owner"] = forms.ModelChoiceField(
            label=_("Owner"),
            queryset=staff_who_can_edit(progress.case.person.household.audit_site_id),
            required=False,
        )
        self.fields["due_on"] = forms.DateField(
            label=_("Due on"), required=False, widget=DATE_INPUT
        )

    @property
    def evidence_fields(self):
        return [self[evidence_key(item["code"])] for item in self.progress.step.evidence]

    def to_update(self) -> StepUpdate:
        return _update_from(self, self.progress.step)


class BulkChooseForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=None)
    step = forms.ChoiceField(label=_("Step"))

    def __init__(self, *args, sites, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["step"].choices = steps


def ticked_rows(values: list[str]) -> list[tuple[int, int]]:
    """The people ticked on the bulk page, as (step progress id, version seen)."""
    rows = []
    for value in values:
        progress_id, _sep, version = value.partition(":")
        if record_id(progress_id) is not None and record_id(version) is not None:
            rows.append((int(progress_id), int(version)))
    return rows


class BulkUpdateForm(forms.Form):
    """The same update for everyone ticked."""

    def __init__(self, *args, step: StepDefinition, **kwargs):
        super().__init__(*args, **kwargs)
        self.step = step
        _add_update_fields(self, step)
        self.fields["status"].initial = StepStatus.DONE

    @property
    def evidence_fields(self):
        return [self[evidence_key(item["code"])] for item in self.step.evidence]

    def to_update(self) -> StepUpdate:
        return _update_from(self, self.step)


class WorklistForm(forms.Form):
    list = forms.ChoiceField(
        label=_("List"),
        choices=[
            (Worklist.MINE, _("My open steps")),
            (Worklist.OVERDUE, _("Overdue")),
            (Worklist.BLOCKED, _("Blocked")),
            (Worklist.WAITING, _("Waiting on an outside office")),
        ],
        required=False,
    )
    site = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False)
    step = forms.ChoiceField(label=_("Step"), required=False)
    days = forms.IntegerField(
        label=_("Waiting longer than (days)"),
        min_value=0,
        max_value=3650,
        required=False,
        initial=WAITING_DAYS_DEFAULT,
    )

    def __init__(self, *args, sites, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["step"].choices = [("", _("Every step")), *steps]


class NoteForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"))
    step = forms.TypedChoiceField(label=_("About the step"), coerce=int, required=False)
    text = forms.CharField(
        label=_("Note"), max_length=NOTE_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, domains, steps=(), **kwargs):
        """steps: the person's step progress rows a note may be about."""
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [
            (code, label) for code, label in Domain.choices if code in domains
        ]
        self.fields["step"].choices = [("", _("The case as a whole"))] + [
            (progress.pk, progress.step.name) for progress in steps
        ]
        self.fields["step"].empty_value = None


class AttachmentForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"))
    kind = forms.ChoiceField(label=_("Document type"), choices=AttachmentKind.choices)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"))

    def __init__(self, *args, domains, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domain"].choices = [
            (code, label) for code, label in Domain.choices if code in domains
        ]


class ReferralForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=Partner.objects.filter(active=True)
    )


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ReferralStatus.choices)
