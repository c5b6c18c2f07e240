from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_default_pathway(sender, **kwargs):
    """A new installation starts with the default pathway, as it starts with its tables."""
    from refuge.casework.models import Pathway
    from refuge.casework.pathways import load_default_pathway

    if not Pathway.objects.using(kwargs.get("using", "default")).exists():
        load_default_pathway()


class CaseworkConfig(AppConfig):
    name = "refuge.casework"
    verbose_name = _("Casework")

    def ready(self):
        from refuge.casework import checks  # noqa: F401  (registers the departure check)

        post_migrate.connect(_load_default_pathway, sender=self)
