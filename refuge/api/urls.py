from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from refuge.api import pages, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("households", views.HouseholdViewSet, basename="household")
router.register("people", views.PersonViewSet, basename="person")
router.register("steps", views.StepViewSet, basename="step")
router.register("sites", views.SiteViewSet, basename="site")
router.register("transfers", views.TransferViewSet, basename="transfer")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("review-pairs", views.ReviewPairViewSet, basename="review-pair")
router.register("instant-check", views.InstantCheckViewSet, basename="instant-check")
router.register("tracing-requests", views.TracingRequestViewSet, basename="tracing-request")
router.register("tracing-candidates", views.TracingCandidateViewSet, basename="tracing-candidate")
router.register("imports", views.ImportViewSet, basename="import")
router.register("exports", views.ExportViewSet, basename="export")

OPEN = {"permission_classes": [AllowAny], "authentication_classes": []}

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    # The description of the API holds no personal data: anyone may read it.
    path("v1/schema/", SpectacularAPIView.as_view(**OPEN), name="schema"),
    path("v1/docs/", SpectacularSwaggerView.as_view(url_name="api:schema", **OPEN), name="docs"),
    path("v1/redoc/", SpectacularRedocView.as_view(url_name="api:schema", **OPEN), name="redoc"),
    path("tokens/", pages.tokens_page, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.revoke, name="revoke"),
]
