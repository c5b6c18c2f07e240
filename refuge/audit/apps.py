from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "refuge.audit"
    verbose_name = _("Audit trail")

    def ready(self):
        # Registers production mode's system checks (`refuge check --deploy`).
        from refuge import production  # noqa: F401
