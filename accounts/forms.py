from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from geography.fields import ZipCodeField

from .models import SELF_SERVICE_ROLES, Role, User


class RefusableMixin:
    """A form its view may refuse outright (a rate limit, a lock-out): invalid, with the reason
    as its error, before anything else is checked (no password is tried, no email sent). What
    was typed stays bound, so the page shows it again."""

    def __init__(self, *args, refusal: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.refusal = refusal

    @property
    def refused(self) -> bool:
        return bool(self.refusal)

    def clean(self):
        if self.refusal:
            raise forms.ValidationError(self.refusal, code="refused")
        return super().clean()


class SignInForm(RefusableMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class PasswordResetRequestForm(RefusableMixin, PasswordResetForm):
    pass


class SignUpForm(forms.Form):
    """Self-service sign-up: teachers and applicant organizations' contacts only."""

    role = forms.TypedChoiceField(
        label="I am",
        choices=[
            (Role.TEACHER.value, "a K-12 teacher"),
            (Role.APPLICANT.value, "applying for my organization to become a Regional Partner"),
        ],
        widget=forms.RadioSelect,
        initial=Role.TEACHER,
    )
    first_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(
        label="Email address",
        # The model's limit (254), not the form field's default (320): longer is refused here.
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role not in SELF_SERVICE_ROLES:
            raise forms.ValidationError("Choose teacher or applicant.")
        return role

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError(
                "An account with this email address already exists. "
                "Sign in, or reset your password."
            )
        return email

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            candidate = User(
                email=cleaned.get("email") or "",
                first_name=cleaned.get("first_name") or "",
                last_name=cleaned.get("last_name") or "",
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    school_zip = ZipCodeField(
        required=False,
        label="Your school's ZIP code",
        help_text="Places you in a partner's region, for its workshops and community meetups.",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "school_zip"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form shows the code, not the row id the model holds.
        if self.instance.school_zip_id and not self.is_bound:
            self.initial["school_zip"] = self.instance.school_zip.code
