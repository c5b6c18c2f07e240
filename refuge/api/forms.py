from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.api.models import TokenScope
from refuge.api.tokens import DEFAULT_DAYS, MAX_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=80, help_text=_("The system that will use it.")
    )
    scope = forms.ChoiceField(label=_("Scope"), choices=TokenScope.choices, initial=TokenScope.READ)
    days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS
    )
    # Only administrators see this field: a token for another member of staff.
    username = forms.CharField(label=_("For user"), max_length=150, required=False)
