"""/manage/partners/<slug>/workshops/<pk>/enrollments/: a workshop's roster in the workspace."""

from django.urls import path

from .views import enrollment as views

app_name = "partner_enrollments"

urlpatterns = [
    path("<int:pk>/enrollments/", views.roster, name="roster"),
    path("<int:pk>/enrollments/roster.csv", views.roster_csv, name="roster_csv"),
    path("<int:pk>/enrollments/<int:enrollment_pk>/move/", views.roster_move, name="move"),
    path("<int:pk>/enrollments/<int:enrollment_pk>/cancel/", views.roster_cancel, name="cancel"),
]
