"""Casework's part of the checks before a household travels (see sites.checks)."""

from django.utils.translation import gettext as _

from refuge.casework.models import CLOSED_STATUSES, StepProgress
from refuge.sites.checks import departure_check


@departure_check
def health_screening_done(household) -> list[str]:
    """Nobody boards before the steps the pathway marks `gates_travel` (the initial health
    screening) are closed, done or decided not to apply. Which step that is comes from the
    pathway, which administrators edit. People without a case are not held back."""
    open_screenings = StepProgress.objects.filter(
        case__person__household=household, step__gates_travel=True
    ).exclude(status__in=CLOSED_STATUSES)
    return [
        _("%(name)s has not had the %(step)s.")
        % {"name": progress.case.person.display_name, "step": progress.step.name.lower()}
        for progress in open_screenings.select_related("case__person", "step")
    ]
