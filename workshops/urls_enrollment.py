"""/workshops/: enrolling, cancelling, and a teacher's own workshops (namespace `workshops`)."""

from django.urls import path

from .views import enrollment as views

urlpatterns = [
    path("<int:pk>/enroll/", views.enroll, name="enroll"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("mine/", views.mine, name="mine"),
]
