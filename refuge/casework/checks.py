"""Casework's part of the checks before a household travels (see sites.checks)."""

from django.utils.translation import gettext as _

from refuge.casework.models import CLOSED_STATUSES, StepProgress
from refuge.sites.checks import departure_check


@departure_check
def health_screening_done(household) -> list[str]:
    """Nobody boards before the initial health screening (or a decision that it does not
    apply). People without a case are not held back: their screening is not tracked here."""
    open_screenings = StepProgress.objects.filter(
        case__person__household=household, step__code="health_screening"
    ).exclude(status__in=CLOSED_STATUSES)
    return [
        _("%(name)s has not had the initial health screening.")
        % {"name": progress.case.person.display_name}
        for progress in open_screenings.select_related("case__person")
    ]
