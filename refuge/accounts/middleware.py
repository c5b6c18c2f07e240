import time

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers

LANGUAGE_SESSION_KEY = "refuge_language"


class UserLanguageMiddleware:
    """Put the signed-in user's chosen language where LocaleMiddleware looks for it (the cookie).

    LocaleMiddleware runs after us and picks the cookie over Accept-Language, so a clerk who
    chose Arabic gets Arabic on any tablet, and the choice follows the user, not the device.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        language = request.session.get(LANGUAGE_SESSION_KEY)
        if language and translation.check_for_language(language):
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """Pages shown to signed-in staff carry personal data: never keep them in any cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private"
        return response


SIGNED_IN_AT_KEY = "refuge_signed_in_at"
LAST_SEEN_KEY = "refuge_last_seen"


class SessionTimeoutMiddleware:
    """End a session after SESSION_IDLE_SECONDS without a request, and SESSION_ABSOLUTE_SECONDS
    after sign-in however active it has been.

    The time of the last request is written to the session (which also moves the session row's
    expiry on) at most once per SESSION_ACTIVITY_RESOLUTION_SECONDS: a clerk typing names sends
    a request per keystroke, and rewriting the session row for each one cost a write and a
    commit. So an idle session ends up to that long early, never late."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            idle = settings.SESSION_IDLE_SECONDS
            started = request.session.setdefault(SIGNED_IN_AT_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS or (
                last_seen is not None and now - last_seen > idle
            ):
                logout(request)
                return redirect(settings.LOGIN_URL)
            # Never coarser than half the timeout, or an active session could lapse.
            step = min(settings.SESSION_ACTIVITY_RESOLUTION_SECONDS, idle / 2)
            if last_seen is None or now - last_seen >= step:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """With REFUGE_REQUIRE_2FA, a signed-in user must also pass a one-time code: enrol a
    device first if they have none. Only the pages needed to do so stay open."""

    OPEN_PREFIXES = ("/accounts/", "/i18n/", "/static/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django_otp import user_has_device

        user = getattr(request, "user", None)
        if (
            settings.REFUGE_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.OPEN_PREFIXES)
        ):
            target = "accounts:two_factor" if user_has_device(user) else "accounts:two_factor_setup"
            return redirect(target)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response (Django 5.2 has no CSP of
    its own). Scripts, styles, images and fonts come from our own origin only, with no inline
    script, so that injected markup cannot run; no camera, microphone or location."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.csp = settings.REFUGE_CONTENT_SECURITY_POLICY
        self.permissions = settings.REFUGE_PERMISSIONS_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", self.permissions)
        return response


class RefusalAuditMiddleware:
    """Every 403 a page gives is written to the audit trail: refused by a view's capability
    check or by a use case's own (whose transaction has rolled back by now)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied

        from refuge.accounts.access import record_refusal

        user = getattr(request, "user", None)
        if isinstance(exception, PermissionDenied) and user is not None:
            record_refusal(
                by=user,
                path=request.path,
                method=request.method,
                reason=str(exception),
            )
        return None
