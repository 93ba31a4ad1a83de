from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.program, name="program"),
    path("terms/", views.terms, name="terms"),
    path("terms/<str:version>/", views.terms_version, name="terms_version"),
    path("apply/", views.apply, name="apply"),
    path("one-pager.pdf", views.one_pager, name="one_pager"),
    path("find/", views.find, name="find"),
    path("contact/", views.contact, name="contact"),
    path("notify/", views.notify, name="notify"),
]
