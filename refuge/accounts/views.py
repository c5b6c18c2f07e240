from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from refuge.accounts import services
from refuge.accounts.forms import EmergencyAccessForm
from refuge.accounts.middleware import LANGUAGE_SESSION_KEY
from refuge.accounts.signin import address_delay_seconds, client_address


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # An address that has failed against many accounts waits before it may try again.
        wait = address_delay_seconds(client_address(request))
        if wait:
            services.record_address_slowed(address=client_address(request), wait=wait)
            return render(
                request,
                "accounts/slowed_down.html",
                {"wait": wait},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if user.preferred_language:
            self.request.session[LANGUAGE_SESSION_KEY] = user.preferred_language
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.preferred_language)
        services.record_sign_in(user)
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


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    """Enrol an authenticator app: show the secret as a QR code, confirm with a first code."""
    if user_has_device(request.user):
        return redirect("accounts:two_factor")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="authenticator", confirmed=False)
    error = ""
    if request.method == "POST":
        if device.verify_token(request.POST.get("token", "").strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            services.record_two_factor_enrolled(request.user, device)
            return redirect(settings.LOGIN_REDIRECT_URL)
        error = _("That code is not right. Enter the 6 digits your app shows now.")
    qr = segno.make(device.config_url, micro=False).svg_inline(scale=5)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"qr": qr, "secret": b32encode(device.bin_key).decode(), "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request):
    """The second step of signing in: a code from the user's authenticator app."""
    if not user_has_device(request.user):
        return redirect("accounts:two_factor_setup")
    error = ""
    if request.method == "POST":
        device = match_token(request.user, request.POST.get("token", "").strip())
        if device is not None:
            otp_login(request, device)
            return redirect(settings.LOGIN_REDIRECT_URL)
        error = _("That code is not right. Enter the 6 digits your app shows now.")
        services.record_two_factor_refused(request.user)
    return render(request, "accounts/two_factor.html", {"error": error})


@login_required
@require_http_methods(["GET", "POST"])
def grants(request):
    """Role grants waiting for a second administrator or the data protection officer."""
    pending = services.pending_grants(request.user)
    if request.method == "POST":
        grant = get_object_or_404(pending, pk=request.POST.get("grant", "0") or 0)
        try:
            services.decide_grant(
                grant=grant, approve=request.POST.get("decision") == "approve", by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("accounts:grants")
    return render(request, "accounts/grants.html", {"grants": pending})


@login_required
@require_http_methods(["GET", "POST"])
def emergency_access(request):
    """Break the glass: open a note domain for a short time, with a reason."""
    form = EmergencyAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        access = services.break_the_glass(by=request.user, **form.cleaned_data)
        messages.warning(
            request,
            _("Emergency access to %(domain)s notes is open until %(until)s.")
            % {
                "domain": access.domain,
                "until": formats.date_format(
                    timezone.localtime(access.ends_at), "SHORT_DATETIME_FORMAT"
                ),
            },
        )
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/emergency_access.html", {"form": form})
