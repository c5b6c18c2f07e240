from django import forms
from django.utils.translation import gettext_lazy as _


class DisclosureForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you need to read it"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300}),
        help_text=_("Written to the audit trail before anything is shown."),
    )
