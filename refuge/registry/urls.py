from django.urls import path

from refuge.registry import views

app_name = "registry"
urlpatterns = [
    path("register/", views.register, name="register"),
    path("register/member-row/", views.member_row, name="member_row"),
    path("register/suggestions/", views.name_suggestions, name="name_suggestions"),
    path(
        "households/<int:pk>/complete/",
        views.complete_registration,
        name="complete_registration",
    ),
    path("search/", views.search, name="search"),
    # A slip's QR code: short, since every character makes the printed code denser.
    path("h/<str:number>/", views.household_by_number, name="household_by_number"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/consent/withdraw/", views.withdraw_consent, name="withdraw_consent"),
]
