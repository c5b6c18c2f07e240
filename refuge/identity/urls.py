from django.urls import path

from refuge.identity import views

app_name = "identity"
urlpatterns = [
    path("check/", views.instant_check, name="instant_check"),
    path("review/", views.review_queue, name="queue"),
    path("review/<int:pk>/", views.review_pair, name="pair"),
    path(
        "review/households/<int:household_a>/<int:household_b>/",
        views.review_household_pair,
        name="household_pair",
    ),
    path("links/<int:pk>/undo/", views.undo_link, name="undo_link"),
]
