"""The data subject's rights as pages: correction at the person's request, erasure asked for
by staff and decided by the data protection officer. Thin: each calls refuge.rights.services,
which checks the role and the site and writes the audit entries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from refuge.accounts.access import capability_required, visible_or_404
from refuge.accounts.roles import Capability
from refuge.registry import selectors as registry_selectors
from refuge.registry.models import Person
from refuge.rights import services
from refuge.rights.forms import CorrectionForm, ErasureRequestForm


@capability_required(Capability.EDIT_PEOPLE)
@require_http_methods(["GET", "POST"])
def correction(request, pk):
    person = visible_or_404(
        request,
        Person,
        registry_selectors.person_detail,
        pk,
        purpose="correction" if request.method == "GET" else None,
    )
    form = CorrectionForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_at_request(
                person=Person.objects.get(pk=pk),
                changes=form.changes(),
                request=form.cleaned_data["request"],
                by=request.user,
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                form.add_error(None, error)
            else:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("The correction is saved, with the person's request."))
            return redirect("registry:person", pk=pk)
    return render(request, "rights/correction.html", {"person": person, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def erasure_request(request, pk):
    try:
        person = services.erasure_subject(request.user, pk)
    except Person.DoesNotExist:
        raise Http404 from None
    form = ErasureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_erasure(
                person=person, reason=form.cleaned_data["reason"], by=request.user
            )
        except ValidationError as error:
            for message in error.message_dict.get("reason", error.messages):
                form.add_error("reason", message)
        else:
            messages.success(
                request, _("The erasure is asked for: the data protection officer decides.")
            )
            return redirect("rights:erasure_request", pk=pk)
    return render(
        request,
        "rights/erasure_request.html",
        {"person": person, "form": form, "erasures": services.erasures_of(person)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def erasures(request):
    """The data protection officer's list of erasure requests, and their decisions."""
    requests = services.erasure_requests(request.user)
    if request.method == "POST":
        posted = request.POST.get("erasure", "")
        erasure = next((e for e in requests if str(e.pk) == posted), None)
        if erasure is None:
            raise Http404
        approve = request.POST.get("decision") == "approve"
        try:
            services.decide_erasure(erasure=erasure, approve=approve, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Person %(id)s is erased.") % {"id": erasure.person_id}
                if approve
                else _("The erasure of person %(id)s is refused.") % {"id": erasure.person_id},
            )
        return redirect("rights:erasures")
    return render(request, "rights/erasures.html", {"erasures": requests})
