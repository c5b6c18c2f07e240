"""The API tokens page: a user makes and revokes their own tokens; an administrator anyone's."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from refuge.accounts.roles import Capability
from refuge.api import tokens
from refuge.api.forms import TokenForm
from refuge.api.models import ApiToken


@login_required
@require_http_methods(["GET", "POST"])
def tokens_page(request):
    administrator = request.user.can(Capability.ADMINISTER)
    form = TokenForm(request.POST or None)
    if not administrator:
        del form.fields["username"]
    secret = None
    if request.method == "POST" and form.is_valid():
        owner = request.user
        username = form.cleaned_data.get("username")
        if administrator and username:
            owner = get_user_model().objects.filter(username=username).first()
            if owner is None:
                form.add_error("username", _("There is no such user."))
        if not form.errors:
            try:
                token, secret = tokens.create_token(
                    owner=owner,
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    days=form.cleaned_data["days"],
                    by=request.user,
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                form = TokenForm()
                if not administrator:
                    del form.fields["username"]
    rows = (
        tokens.all_tokens(by=request.user)
        if administrator
        else tokens.tokens_of(owner=request.user, by=request.user)
    )
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": rows[:200], "secret": secret, "administrator": administrator},
    )


@login_required
@require_POST
def revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.select_related("user"), pk=pk)
    tokens.revoke_token(token=token, by=request.user)  # PermissionDenied: another's token
    return redirect("api:tokens")
