"""/manage/partners/: the partner workspace (see partners.workspace for scope)."""

from django.urls import path

from metrics import views as metrics_views

from . import views_workspace as views

app_name = "workspace"

urlpatterns = [
    path("", views.partner_list, name="list"),
    path("switch/", views.switch, name="switch"),
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/managers/", views.managers, name="managers"),
    path("<slug:slug>/managers/invite/", views.manager_invite, name="manager_invite"),
    path("<slug:slug>/managers/<int:pk>/edit/", views.manager_edit, name="manager_edit"),
    path("<slug:slug>/managers/<int:pk>/remove/", views.manager_remove, name="manager_remove"),
    path(
        "<slug:slug>/managers/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<slug:slug>/managers/invitations/<int:pk>/cancel/",
        views.invitation_cancel,
        name="invitation_cancel",
    ),
    path("<slug:slug>/check-ins/", views.check_ins, name="check_ins"),
    path("<slug:slug>/check-ins/<int:pk>/edit/", views.check_in_edit, name="check_in_edit"),
    path("<slug:slug>/check-ins/<int:pk>/delete/", views.check_in_delete, name="check_in_delete"),
    # The partner's metrics (the metrics app's views, in the workspace's namespace).
    path("<slug:slug>/metrics/", metrics_views.partner_dashboard, name="metrics"),
    path("<slug:slug>/metrics/targets/", metrics_views.targets, name="targets"),
    path(
        "<slug:slug>/metrics/<str:metric>/",
        metrics_views.metric_evidence,
        name="metric_evidence",
    ),
]
