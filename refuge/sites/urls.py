from django.urls import path

from refuge.sites import views

app_name = "sites"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:pk>/", views.site_detail, name="site"),
]
