"""Errors as application/problem+json (RFC 9457): a title, the status, and each field at
fault with its message, in the caller's language."""

from __future__ import annotations

import re

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from refuge.accounts.access import record_refusal
from refuge.casework.services import StepConflict
from refuge.identity.selectors import TooManyChecks

PROBLEM_TYPE = "application/problem+json"
# The service layer names a member's field as the form does ("members-0-given_name_ar").
_FORM_PREFIX = re.compile(r"^(\w+)-(\d+)-(\w+)$")

TITLES = {
    400: _("The request has mistakes"),
    401: _("Sign in, or send a valid token"),
    403: _("You may not do this"),
    404: _("Not found"),
    405: _("This method is not allowed here"),
    406: _("Cannot answer in the format asked for"),
    409: _("Conflict"),
    413: _("The request is too large"),
    415: _("Send JSON"),
    429: _("Too many requests"),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Conflict")
    default_code = "conflict"


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request is too large")
    default_code = "too_large"

    def __init__(self, detail=None, *, field: str = ""):
        super().__init__(detail)
        self.field = field  # the part of the request that is too large, when it is one


class FieldProblemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Where the problem is: a field, or a path to one.")
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldProblemSerializer(many=True, required=False)


def _field_name(name: str) -> str:
    match = _FORM_PREFIX.match(name)
    return f"{match[1]}.{match[2]}.{match[3]}" if match else name


def _flatten(data, path: str = "") -> list[dict]:
    """DRF's nested error dicts and lists as one list of {field, detail}."""
    if isinstance(data, dict):
        rows = []
        for key, value in data.items():
            name = _field_name(str(key))
            if name in ("non_field_errors", "__all__"):
                name = ""
            rows += _flatten(value, f"{path}.{name}" if path and name else path or name)
        return rows
    if isinstance(data, list):
        if all(not isinstance(item, dict | list) for item in data):
            return [{"field": path, "detail": str(item)} for item in data]
        rows = []
        for index, item in enumerate(data):
            rows += _flatten(item, f"{path}.{index}" if path else str(index))
        return rows
    return [{"field": path, "detail": str(data)}]


def problem(status_code: int, detail: str, errors: list[dict] | None = None, headers=None):
    body = {
        "type": "about:blank",
        "title": str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers, content_type=PROBLEM_TYPE)
    return response


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        data = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        errors = _flatten(data)
        return problem(400, errors[0]["detail"] if len(errors) == 1 else TITLES[400], errors)
    if isinstance(exc, StepConflict):
        return problem(409, str(exc))
    if isinstance(exc, TooManyChecks):
        return problem(
            429, _("Too many checks in a minute; wait a moment."), headers={"Retry-After": "60"}
        )
    if isinstance(exc, ObjectDoesNotExist | Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied | exceptions.PermissionDenied):
        _record_refusal(context.get("request"), str(exc))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        detail = errors[0]["detail"] if len(errors) == 1 else TITLES[400]
        return problem(400, detail, errors, headers=_kept_headers(response))
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(exc, TooLarge) and exc.field:
        errors = [{"field": exc.field, "detail": str(detail)}]
        return problem(413, detail, errors, headers=_kept_headers(response))
    if isinstance(detail, dict | list):
        errors = _flatten(detail)
        detail = errors[0]["detail"] if errors else TITLES.get(response.status_code, "")
    return problem(response.status_code, detail, headers=_kept_headers(response))


def _record_refusal(request, reason: str) -> None:
    # As the pages' RefusalAuditMiddleware does: the refused use case has rolled back by now.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        record_refusal(by=user, path=request.path, method=request.method, reason=reason)


def _kept_headers(response) -> dict:
    return {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")}


def not_found(request, exception=None):
    """Django's 404 for a URL no view answers: problem+json under /api/, the page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        body = {
            "type": "about:blank",
            "title": str(TITLES[404]),
            "status": 404,
            "detail": str(TITLES[404]),
        }
        return JsonResponse(body, status=404, content_type=PROBLEM_TYPE)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
