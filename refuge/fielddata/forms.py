from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from refuge.fielddata.exports import FORMATS, LAYOUTS
from refuge.fielddata.readers import MAX_FILE_BYTES, UPLOAD_SUFFIXES
from refuge.registry.vocabulary import ConsentScope
from refuge.sites.models import Site


class ExportForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    layout = forms.ChoiceField(label=_("Layout"), choices=list(LAYOUTS.items()))
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS])

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = user.scope(Site.objects.all(), "pk")


class UploadForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none())
    file = forms.FileField(
        label=_("Export file"),
        help_text=_(
            "KoBoToolbox XLSX, ODK Central's zip of CSV files, OData JSON, "
            "or a person exchange CSV."
        ),
    )
    consent = forms.MultipleChoiceField(
        label=_("Consent recorded outside the file"),
        help_text=_("Only for files that do not record consent (the person exchange CSV)."),
        choices=ConsentScope.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = user.scope(Site.objects.all(), "pk")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large."))
        if Path(upload.name).suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(_("Unknown format."))
        return upload
