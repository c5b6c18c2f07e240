"""Signing in and two-factor enrolment, as use cases that write their own audit entries."""

from refuge.audit import services as audit


def record_sign_in(user) -> None:
    audit.record(actor=user, action=audit.Action.LOGIN, target=user)


def record_two_factor_enrolled(user, device) -> None:
    audit.record(
        actor=user, action=audit.Action.CREATE, target=device, detail={"two_factor": "enrolled"}
    )


def record_two_factor_refused(user) -> None:
    audit.record(
        actor=user,
        action=audit.Action.DENIED,
        object_type="accounts.two_factor",
        object_id=str(user.pk),
    )
