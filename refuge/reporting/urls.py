from django.urls import path

from refuge.reporting import views

app_name = "reporting"
urlpatterns = [
    path("", views.dashboard_page, name="dashboard"),
    path("figures.csv", views.dashboard_csv, name="figures_csv"),
    path("hxl.<str:extension>", views.hxl_export, name="hxl"),
    path("sitrep/", views.sitrep_page, name="sitrep"),
    path("sitrep.pdf", views.sitrep_document, name="sitrep_pdf"),
]
