from django.urls import path

from refuge.fielddata import views

app_name = "fielddata"
urlpatterns = [
    path("imports/", views.runs, name="runs"),
    path("imports/<int:pk>/", views.run, name="run"),
    path("imports/<int:pk>/report.csv", views.report, name="report"),
    path("edits/", views.edits, name="edits"),
    path("edits/<int:pk>/", views.edit, name="edit"),
    path("export/", views.export, name="export"),
]
