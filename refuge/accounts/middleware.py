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
