from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import RedirectView

from . import views, views_tokens

app_name = "accounts"

urlpatterns = [
    # /accounts/ itself is where people guess their account lives: their home page.
    path("", RedirectView.as_view(pattern_name="accounts:home"), name="index"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.sign_up, name="signup"),
    path("home/", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views_tokens.tokens, name="tokens"),
    path("tokens/<str:token_key>/revoke/", views_tokens.token_revoke, name="token_revoke"),
    path("password/reset/", views.password_reset, name="password_reset"),
    path("password/reset/sent/", views.password_reset_done, name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.password_reset_complete, name="password_reset_complete"),
    path("password/change/", views.password_change, name="password_change"),
    path("password/change/done/", views.password_change_done, name="password_change_done"),
]
