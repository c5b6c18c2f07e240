from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "refuge.tracing"
    verbose_name = _("Family tracing")
