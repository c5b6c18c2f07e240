from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="sites:overview", permanent=False)),
    path("accounts/", include("refuge.accounts.urls")),
    path("sites/", include("refuge.sites.urls")),
    path("registry/", include("refuge.registry.urls")),
    path("audit/", include("refuge.audit.urls")),
    path("identity/", include("refuge.identity.urls")),
    path("casework/", include("refuge.casework.urls")),
    path("rights/", include("refuge.rights.urls")),
    path("tracing/", include("refuge.tracing.urls")),
    path("api/", include("refuge.api.urls")),
    path("reporting/", include("refuge.reporting.urls")),
    path("field/", include("refuge.fielddata.urls")),
    path("openrosa/", include("refuge.fielddata.openrosa_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "refuge.api.problems.not_found"
