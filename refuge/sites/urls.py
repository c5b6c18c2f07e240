from django.urls import path

from refuge.sites import views

app_name = "sites"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:pk>/", views.site_detail, name="site"),
    path("<int:pk>/rooms/", views.rooms, name="rooms"),
    path("households/<int:pk>/allocate/", views.allocate, name="allocate"),
    path("households/<int:pk>/slip.pdf", views.registration_slip, name="slip"),
    path("movements/", views.movements, name="movements"),
    path("movements/new/", views.movement_new, name="movement_new"),
    path("movements/<int:pk>/", views.movement_detail, name="movement"),
    path("movements/<int:pk>/manifest.pdf", views.manifest_document, name="manifest"),
]
