from django.urls import path

from refuge.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.trail, name="trail"),
    path("<int:seq>/", views.entry_detail, name="entry"),
]
