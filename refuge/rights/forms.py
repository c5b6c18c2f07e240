from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.registry.forms import PersonEditForm
from refuge.rights.services import REQUEST_MAX_CHARS


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this person's data should be erased"),
        help_text=_("The person's request and how it was made (in writing, on which day)."),
        max_length=REQUEST_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CorrectionForm(PersonEditForm):
    """The person's record as the edit page shows it, and what the person asked for."""

    request = forms.CharField(
        label=_("What the person asked to be corrected"),
        help_text=_("In a line, as the person put it: kept with the correction."),
        max_length=REQUEST_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
