"""Survey pages under /surveys/ (namespace `surveys`)."""

from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    path("<int:enrollment_pk>/", views.respond, name="respond"),
    path("results/", views.results, name="results"),
    path("results/workshops/<int:workshop_pk>/", views.workshop_results, name="workshop_results"),
    path("questions/", views.question_list, name="questions"),
    path("questions/add/", views.question_create, name="question_create"),
    path("questions/<int:pk>/edit/", views.question_update, name="question_update"),
    path("questions/<int:pk>/deactivate/", views.question_deactivate, name="question_deactivate"),
]
