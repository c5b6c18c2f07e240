from django.urls import path

from refuge.casework import views

app_name = "casework"
urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("bottlenecks/", views.bottlenecks, name="bottlenecks"),
    path("bulk/", views.bulk, name="bulk"),
    path("pathway/", views.pathway_edit, name="pathway_edit"),
    path("people/<int:pk>/", views.person_case, name="person"),
    path("people/<int:pk>/notes/", views.add_note, name="add_note"),
    path("people/<int:pk>/attachments/", views.add_attachment, name="add_attachment"),
    path("people/<int:pk>/referrals/", views.add_referral, name="add_referral"),
    path("households/<int:pk>/", views.household_case, name="household"),
    path("steps/<int:pk>/", views.step_row, name="step"),
    path("steps/<int:pk>/edit/", views.step_edit, name="step_edit"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("referrals/<int:pk>/status/", views.referral_status, name="referral_status"),
]
