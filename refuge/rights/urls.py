from django.urls import path

from refuge.rights import views

app_name = "rights"
urlpatterns = [
    path("people/<int:pk>/correction/", views.correction, name="correction"),
    path("people/<int:pk>/erasure/", views.erasure_request, name="erasure_request"),
    path("erasures/", views.erasures, name="erasures"),
]
