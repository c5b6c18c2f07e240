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


def form_field_labels() -> dict[str, object]:
    """The registration form's questions by name, with their (lazy) labels."""
    from refuge.fielddata.xlsform import HOUSEHOLD_QUESTIONS, MEMBER_QUESTIONS

    return {q.name: q.label for q in (*HOUSEHOLD_QUESTIONS, *MEMBER_QUESTIONS)}


def held_on_person(*, person_id: int, household_id: int) -> list[dict]:
    """What field data keeps on one person, for their subject-access export (refuge.rights,
    which checks that the data protection officer asks and audits the export as one read).

    Each submission that registered them, decrypted: the household's values, their own member's
    values, the form's fields by name, and of the other members only their relationship (who
    they are to the person, not their names or documents); then each edit of it, with their
    values in it and what it changes for them or the household."""
    from refuge.fielddata.models import FieldSubmission

    held = []
    submissions = FieldSubmission.objects.filter(household_id=household_id).prefetch_related(
        "edits"
    )
    for submission in submissions.order_by("received_at", "pk"):
        if person_id not in submission.people:
            continue
        index = submission.people.index(person_id)
        members = submission.content.get("members", [])
        held.append(
            {
                "instance_id": submission.instance_id,
                "source": submission.get_source_display(),
                "received_at": submission.received_at,
                **_as_member(submission.content, index),
                "edits": [
                    {
                        "received_at": edit.received_at,
                        "status": edit.get_status_display(),
                        # An edit may list the members in another order: theirs is the one
                        # matched with them, as the edit's review and erasure find it.
                        **_as_member(edit.content, _place_in(edit, members, index)),
                        "changes": {
                            **edit.changes.get("household", {}),
                            **next(
                                (
                                    m["fields"]
                                    for m in edit.changes.get("members", [])
                                    if m["index"] == index
                                ),
                                {},
                            ),
                        },
                    }
                    for edit in submission.edits.all()
                ],
            }
        )
    return held


def _place_in(edit, members: list[dict], index: int) -> int | None:
    from refuge.fielddata.services import pair_members

    pairs = pair_members(members, edit.content.get("members", []))
    return pairs.index(index) if index in pairs else None


def _as_member(content: dict, index: int | None) -> dict:
    """One member's view of a submission's content: the household's values, theirs, and the
    others' relationships only."""
    members = content.get("members", [])
    return {
        "household": dict(content.get("household", {})),
        "member": dict(members[index]) if index is not None and index < len(members) else {},
        "other_members": [
            m.get("relationship", "") for i, m in enumerate(members) if i != index and m
        ],
    }
