from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "refuge.reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from refuge.reporting.changes import _after_migrate

        # Once per migrate (sent for each app; this app's is enough), after every migration,
        # so that a table rebuilt by one gets its change triggers back.
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="reporting-change-triggers")
