from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refuge.formats.widgets import IsoDateInput
from refuge.sites.models import Means, Movement, Room, Site


class MovementForm(forms.ModelForm):
    class Meta:
        model = Movement
        fields = ["from_site", "to_site", "planned_on", "means", "seats"]
        widgets = {"planned_on": IsoDateInput()}

    def __init__(self, *args, from_sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_site"].queryset = from_sites
        self.fields["to_site"].queryset = Site.objects.filter(is_active=True)
        self.fields["planned_on"].initial = timezone.localdate()
        self.fields["means"].initial = Means.BUS


class AddHouseholdForm(forms.Form):
    registration_number = forms.CharField(label=_("Registration number"), max_length=20)


class RoomChoiceForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Room"), queryset=Room.objects.none())

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["room"].queryset = Room.objects.filter(building__site=site).select_related(
            "building"
        )
