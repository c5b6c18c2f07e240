from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from refuge.accounts.middleware import LANGUAGE_SESSION_KEY
from refuge.audit import services as audit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if user.preferred_language:
            self.request.session[LANGUAGE_SESSION_KEY] = user.preferred_language
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language)
        audit.record(actor=user, action=audit.Action.LOGIN, target=user)
        return response


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in user keeps the choice on every device."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest()
    if request.user.is_authenticated:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    request.session[LANGUAGE_SESSION_KEY] = language
    translation.activate(language)
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    response = redirect(next_url)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response


@login_required
def profile(request):
    return redirect("sites:overview")
