from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldDataConfig(AppConfig):
    name = "refuge.fielddata"
    label = "fielddata"
    verbose_name = _("Field data")
