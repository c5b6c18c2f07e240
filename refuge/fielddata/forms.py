from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.fielddata.exports import FORMATS, LAYOUTS
from refuge.sites.models import Site


class ExportForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    layout = forms.ChoiceField(label=_("Layout"), choices=list(LAYOUTS.items()))
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = user.scope(Site.objects.all(), "pk")
