"""OpenRosa 1.0 for ODK Collect: point the phone's server setting at <Refuge>/openrosa/."""

from django.urls import path

from refuge.fielddata import views

app_name = "openrosa"
urlpatterns = [
    path("formList", views.form_list, name="form_list"),
    path("forms/household_registration.xml", views.form_xml, name="form"),
    path("submission", views.submission, name="submission"),
]
