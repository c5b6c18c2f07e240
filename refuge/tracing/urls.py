from django.urls import path

from refuge.tracing import views

app_name = "tracing"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.new_request, name="new"),
    path("counts/", views.counts, name="counts"),
    path("requests/<int:pk>/", views.request_page, name="request"),
    path("requests/<int:pk>/sought/", views.add_sought, name="add_sought"),
    path("requests/<int:pk>/notes/", views.add_note, name="add_note"),
    path("requests/<int:pk>/take-over/", views.take_over, name="take_over"),
    path("requests/<int:pk>/told/", views.told, name="told"),
    path("candidates/<int:pk>/", views.candidate, name="candidate"),
    path("candidates/<int:pk>/consent/", views.consent, name="consent"),
    path("sought/<int:pk>/close/", views.close, name="close"),
]
