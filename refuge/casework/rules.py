"""The rules of moving along a pathway, as plain functions of a case's steps.

A step may be worked on in any order (offices do not wait for us), but it can only be marked
done once its prerequisites are closed and its evidence and outcome are recorded. A step the
person's case does not contain counts as closed: a child's case has no asylum application of
its own because the child is on a parent's. A step may also need a prerequisite to have ended
with a given outcome: the certificate of temporary asylum follows a decision that granted it,
not one that refused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from refuge.casework.models import CLOSED_STATUSES, EvidenceKind, StepProgress, StepStatus

BLOCKED_REASON_MAX_CHARS = StepProgress._meta.get_field("blocked_reason").max_length


@dataclass
class StepUpdate:
    """What a caseworker sets on a step. Evidence is merged over what is already recorded."""

    status: str
    outcome: str = ""
    evidence: dict[str, object] = field(default_factory=dict)
    blocked_reason: str = ""
    due_on: date | None = None
    owner_id: int | None = None


def evidence_key(code: str) -> str:
    """The form field (and error key) of one piece of evidence."""
    return f"evidence_{code}"


def clean_evidence(progress: StepProgress, values: dict[str, object]) -> tuple[dict, dict]:
    """Evidence as stored (dates as ISO text), and an error per piece that is not valid."""
    cleaned, errors = dict(progress.evidence), {}
    for item in progress.step.evidence:
        code = item["code"]
        if code not in values:
            continue
        value = values[code]
        if value in (None, ""):
            cleaned.pop(code, None)
            continue
        if item.get("kind") == EvidenceKind.DATE:
            parsed = value if isinstance(value, date) else parse_date(str(value).strip() or "x")
            if parsed is None:
                errors[evidence_key(code)] = _("Enter a valid date.")
                continue
            cleaned[code] = parsed.isoformat()
        else:
            text = str(value).strip()
            if len(text) > 200:
                errors[evidence_key(code)] = _("At most 200 characters.")
                continue
            cleaned[code] = text
    return cleaned, errors


def _outcome_met(progress: StepProgress, prerequisite: StepProgress) -> bool:
    """A closed prerequisite ended as this step needs (a step set not applicable needs no
    particular outcome)."""
    wanted = progress.step.prerequisite_outcomes.get(prerequisite.step.code)
    return not wanted or prerequisite.status != StepStatus.DONE or prerequisite.outcome in wanted


def unmet_prerequisites(
    progress: StepProgress, case_steps: list[StepProgress], prerequisites
) -> tuple[list[StepProgress], list[StepProgress]]:
    """The prerequisite steps of this one still open in the same case, and those done with an
    outcome this step does not follow from."""
    return _unmet(progress, {p.step_id: p for p in case_steps}, prerequisites)


def _unmet(progress: StepProgress, by_step: dict, prerequisites):
    present = [
        by_step[step_id]
        for step_id in sorted(prerequisites.get(progress.step_id, ()))
        if step_id in by_step
    ]
    still_open = [p for p in present if p.status not in CLOSED_STATUSES]
    other_outcome = [
        p for p in present if p.status in CLOSED_STATUSES and not _outcome_met(progress, p)
    ]
    return still_open, other_outcome


def update_errors(
    progress: StepProgress,
    update: StepUpdate,
    evidence: dict,
    case_steps: list[StepProgress],
    prerequisites,
) -> dict[str, str]:
    """Why this update may not be saved, per field; empty when it may."""
    errors: dict[str, str] = {}
    if update.status not in StepStatus.values:
        errors["status"] = _("Choose a status from the list.")
        return errors
    outcomes = [code for code, _label in progress.step.outcome_choices]
    if update.outcome and update.outcome not in outcomes:
        errors["outcome"] = _("“%(value)s” is not an outcome of this step.") % {
            "value": update.outcome
        }
    if update.status == StepStatus.BLOCKED and not update.blocked_reason.strip():
        errors["blocked_reason"] = _("Say why the step is blocked.")
    if len(update.blocked_reason) > BLOCKED_REASON_MAX_CHARS:
        errors["blocked_reason"] = _("At most %(count)d characters.") % {
            "count": BLOCKED_REASON_MAX_CHARS
        }
    if update.status != StepStatus.DONE:
        return errors
    waiting_on, other_outcome = unmet_prerequisites(progress, case_steps, prerequisites)
    if waiting_on:
        errors["status"] = _("It cannot be done while these steps are open: %(steps)s.") % {
            "steps": ", ".join(p.step.name for p in waiting_on)
        }
    elif other_outcome:
        first = other_outcome[0]
        errors["status"] = _(
            "It cannot be done: “%(step)s” ended as “%(outcome)s”, and this step follows only "
            "from %(wanted)s."
        ) % {
            "step": first.step.name,
            "outcome": first.step.outcome_label(first.outcome),
            "wanted": ", ".join(
                f"“{first.step.outcome_label(code)}”"
                for code in progress.step.prerequisite_outcomes[first.step.code]
            ),
        }
    for item in progress.step.evidence_items:
        if not evidence.get(item["code"]):
            errors.setdefault(
                evidence_key(item["code"]),
                _("Record the %(evidence)s to mark the step done.") % {"evidence": item["text"]},
            )
    if outcomes and not update.outcome:
        errors.setdefault("outcome", _("Choose the outcome to mark the step done."))
    return errors


def apply_update(
    progress: StepProgress, update: StepUpdate, evidence: dict, by, on: date
) -> dict[str, list]:
    """Set the update on the step in memory; returns the changes as {field: [old, new]}."""
    wanted = {
        "status": update.status,
        "outcome": update.outcome,
        "evidence": evidence,
        "blocked_reason": update.blocked_reason.strip()
        if update.status == StepStatus.BLOCKED
        else "",
        "due_on": update.due_on or progress.due_on,
        # Whoever first works on an unowned step owns it from then on.
        "owner_id": update.owner_id or progress.owner_id or by.pk,
    }
    changes = {
        name: [getattr(progress, name), value]
        for name, value in wanted.items()
        if getattr(progress, name) != value
    }
    for name, value in wanted.items():
        setattr(progress, name, value)
    if "status" in changes:
        progress.status_since = on
        progress.done_on = on if update.status == StepStatus.DONE else None
    if changes:
        progress.updated_by = by
    return changes


def refresh_readiness(
    case_steps: list[StepProgress], prerequisites, on: date
) -> list[StepProgress]:
    """Mark the steps whose prerequisites are now all closed (with the outcomes they need) as
    ready, and due in their target number of days, and those reopened behind them as not
    ready. Returns the steps changed."""
    by_step = {p.step_id: p for p in case_steps}
    changed = []
    for progress in case_steps:
        ready = not any(_unmet(progress, by_step, prerequisites))
        if ready and progress.ready_since is None:
            progress.ready_since = on
            if progress.due_on is None:
                progress.due_on = on + timedelta(days=progress.step.target_days)
            changed.append(progress)
        elif not ready and progress.ready_since is not None:
            progress.ready_since = None
            changed.append(progress)
    return changed


def conflict_message(progress: StepProgress) -> str:
    return _(
        "%(user)s changed this step while you were editing it. Their change is shown now; "
        "make yours again if it is still needed."
    ) % {"user": progress.updated_by.get_username() if progress.updated_by else _("Someone")}
