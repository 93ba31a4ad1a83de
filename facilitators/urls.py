"""/manage/facilitators/: the program office's accreditation list."""

from django.urls import path

from . import views

app_name = "facilitators"

urlpatterns = [
    path("", views.accreditations, name="accreditations"),
    path("set/", views.accreditation_set, name="set"),
    path("renew/", views.accreditations_renew, name="renew"),
    path("<int:user_id>/", views.facilitator_detail, name="facilitator"),
]
