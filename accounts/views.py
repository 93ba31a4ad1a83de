from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django_ratelimit.core import get_usage
from django_ratelimit.decorators import ratelimit

from . import selectors, services
from .forms import PasswordResetRequestForm, ProfileForm, SignInForm, SignUpForm

# Too many requests: the form is shown again, with why, and nothing is done.
TOO_MANY = 429


def _rate(name: str):
    """A rate read from settings at each request (so tests and operators can change it)."""
    return lambda group, request: getattr(settings, name)


def _posted_email(group, request) -> str:
    """The email address a form was posted for, as accounts are found (one counter each)."""
    return (request.POST.get("username") or request.POST.get("email") or "").strip().lower()


SIGN_IN_LIMITED = (
    "Too many sign-in attempts in a short time. For your security, please wait 10 minutes "
    "and try again, or reset your password."
)


def _lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        "Too many failed sign-in attempts for this email address. For your security, signing "
        f"in to it from here is paused for {minutes} minutes. If you have forgotten your "
        "password, reset it below."
    )


# Failed sign-ins, counted per address and per email address (group, key, rate setting).
# Only failures count: thirty teachers signing in from one school's address are not refused.
SIGN_IN_LIMITS = (
    ("sign-in-ip", "ip", "RATE_SIGN_IN_PER_IP"),
    ("sign-in-email", _posted_email, "RATE_SIGN_IN_PER_EMAIL"),
)


def _sign_in_limited(request, *, count_failure: bool = False) -> bool:
    """Whether this address or this email has used up its failed sign-ins; with
    `count_failure`, this request's failure is counted first."""
    limited = False
    for group, key, rate in SIGN_IN_LIMITS:
        usage = get_usage(
            request, group=group, key=key, rate=_rate(rate), method="POST", increment=count_failure
        )
        if usage is not None and usage["count"] >= usage["limit"]:
            limited = True
    return limited


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        request.limited = _sign_in_limited(request)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if getattr(self.request, "limited", False):
            # Refused before the password is tried: a limited client learns nothing from it.
            kwargs["refusal"] = SIGN_IN_LIMITED
        return kwargs

    def form_invalid(self, form):
        if not form.refused:
            _sign_in_limited(self.request, count_failure=True)
        response = super().form_invalid(form)
        if form.refused:
            response.status_code = TOO_MANY
        return response


def sign_in_locked_out(request, original_response=None, credentials=None):
    """django-axes' lock-out response (AXES_LOCKOUT_CALLABLE): the sign-in page, with why.

    The form keeps the email address typed; the password is refused without being checked.
    """
    form = SignInForm(request, data=request.POST, refusal=_lockout_message())
    form.is_valid()
    next_url = request.POST.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=TOO_MANY)


def sign_up(request):
    if request.user.is_authenticated:
        return redirect("accounts:home")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    initial = {key: request.GET[key] for key in ("role", "email") if request.GET.get(key)}
    form = SignUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_sign_up(
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=data["role"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "Welcome to PartnerHub. Your account is ready.")
        return redirect(next_url or "accounts:home")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@login_required
def home(request):
    return render(request, "accounts/home.html", selectors.home_for(request.user))


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


RESET_LIMITED = (
    "Too many password-reset requests in a short time. Nothing was sent: please wait an hour "
    "and try again."
)


@method_decorator(
    ratelimit(
        group="password-reset-ip",
        key="ip",
        rate=_rate("RATE_PASSWORD_RESET_PER_IP"),
        method="POST",
        block=False,
    ),
    name="post",
)
@method_decorator(
    ratelimit(
        group="password-reset-email",
        key=_posted_email,
        rate=_rate("RATE_PASSWORD_RESET_PER_EMAIL"),
        method="POST",
        block=False,
    ),
    name="post",
)
class PasswordResetView(auth_views.PasswordResetView):
    """Password reset, limited per address and per email; the limit's message is the same
    whether or not the email has an account, so it tells nobody which addresses do."""

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if getattr(self.request, "limited", False):
            kwargs["refusal"] = RESET_LIMITED
        return kwargs

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.refused:
            response.status_code = TOO_MANY
        return response


password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(
    template_name="accounts/password_reset_done.html"
)
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="accounts/password_reset_confirm.html",
    success_url=reverse_lazy("accounts:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="accounts/password_reset_complete.html"
)
password_change = auth_views.PasswordChangeView.as_view(
    template_name="accounts/password_change.html",
    success_url=reverse_lazy("accounts:password_change_done"),
)
password_change_done = auth_views.PasswordChangeDoneView.as_view(
    template_name="accounts/password_change_done.html"
)
