"""How a request to the API says who it is: a bearer token, or the pages' own session."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from refuge.api import tokens


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the token as: Bearer <token>."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid.")) from None
        token = tokens.authenticate(secret, method=request.method, path=request.path)
        if token is None:
            raise exceptions.AuthenticationFailed(_("This token is not valid, or has expired."))
        # Without an Accept-Language header, answer in the language the user chose.
        if "HTTP_ACCEPT_LANGUAGE" not in request.META and token.user.preferred_language:
            if translation.check_for_language(token.user.preferred_language):
                translation.activate(token.user.preferred_language)
                request.LANGUAGE_CODE = token.user.preferred_language
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (rfg_...), made on the API tokens page.",
        }
