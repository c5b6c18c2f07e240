"""Reads of field data that pages, the API and commands share, scoped to the user's sites."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from refuge.accounts.roles import Capability
from refuge.audit import services as audit
from refuge.fielddata.models import EditStatus, ImportRun, SubmissionEdit
from refuge.registry.models import Household


class Echo:
    """A file-like that hands back what is written, for streaming CSV rows."""

    def write(self, value: str) -> str:
        return value


def runs_for(user) -> QuerySet[ImportRun]:
    if not user.can(Capability.IMPORT_FIELD_DATA):
        return ImportRun.objects.none()
    return user.scope(ImportRun.objects.select_related("site", "started_by"))


def run_for(user, pk: int) -> ImportRun:
    return runs_for(user).get(pk=pk)


def report_rows(run: ImportRun) -> Iterator[list[str]]:
    """The run's report as rows of text: a header, then sheet, row, field and problem.
    The report names places in the file, never people, so reading it is not audited."""
    yield [_("sheet"), _("row"), _("field"), _("problem")]
    for problem in run.problems.all().iterator():
        yield [problem.sheet, str(problem.row), problem.field, problem.message]


def report_csv(run: ImportRun) -> Iterator[str]:
    writer = csv.writer(Echo())
    for row in report_rows(run):
        yield writer.writerow(row)


def pending_edits(user) -> QuerySet[SubmissionEdit]:
    """Edits waiting for a decision at the user's sites."""
    if not user.can(Capability.IMPORT_FIELD_DATA):
        return SubmissionEdit.objects.none()
    return SubmissionEdit.objects.filter(
        status=EditStatus.PENDING,
        submission__household__in=Household.objects.visible_to(user),
    ).select_related("submission__household", "run")


def edit_for(user, pk: int) -> SubmissionEdit:
    """One edit with its diff (which shows names): the read is audited."""
    edit = pending_edits(user).get(pk=pk)
    audit.record(actor=user, action=audit.Action.VIEW, target=edit, detail={"page": "edit"})
    return edit
