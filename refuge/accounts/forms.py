from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.accounts.roles import NOTE_DOMAINS
from refuge.accounts.services import EMERGENCY_MAX_MINUTES


def _domain_choices():
    return [(d, d) for d in sorted({d for ds in NOTE_DOMAINS.values() for d in ds})]


class EmergencyAccessForm(forms.Form):
    domain = forms.ChoiceField(label=_("Notes to open"), choices=_domain_choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        help_text=_("The data protection officer is told at once and reads this reason."),
    )
    minutes = forms.IntegerField(
        label=_("For how many minutes"), min_value=1, max_value=EMERGENCY_MAX_MINUTES, initial=60
    )
