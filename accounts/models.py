"""People and their roles. Email is the login."""

from auditlog.registry import auditlog
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from knox.models import AuthToken


class Role(models.TextChoices):
    """The roles of DESIGN.md. A visitor is anyone not signed in, so it is not stored."""

    APPLICANT = "applicant", "Applicant"
    TEACHER = "teacher", "Teacher"
    FACILITATOR = "facilitator", "Facilitator"
    PROGRAM_MANAGER = "program_manager", "Program manager"
    REGIONAL_MANAGER = "regional_manager", "Regional manager"
    PROGRAM_ADMIN = "program_admin", "Program admin"


SELF_SERVICE_ROLES = (Role.TEACHER, Role.APPLICANT)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # Sign-in is case-insensitive: addresses are stored lower-cased.
        return self.get(**{self.model.USERNAME_FIELD: (username or "").strip().lower()})

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.PROGRAM_ADMIN)
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email address.

    The role decides where the navigation takes them; scope comes from relations
    (a program manager's partners, a regional manager's assigned partners).
    """

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.TEACHER)
    school = models.ForeignKey(
        "districts.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teachers",
        help_text="Teachers: the school where they teach, from the NCES directory.",
    )
    school_zip = models.ForeignKey(
        "geography.ZipCode",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="school ZIP code",
        help_text="Where they work: places them in a partner's region.",
    )
    is_demo = models.BooleanField(
        default=False, help_text="Made by seed_demo; fictional person.", editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="accounts_user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = (self.email or "").strip().lower()
        # The role is the single source of truth for Django admin access: program admins
        # run the admin with every permission, and a demoted admin loses it at once.
        self.is_staff = self.is_superuser = self.role == Role.PROGRAM_ADMIN
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("accounts:home")

    @property
    def home_zip_id(self) -> int | None:
        """The ZIP that places the person in a region: their school's, else the one they gave."""
        if self.school_id is not None and self.school.zip_code_id is not None:
            return self.school.zip_code_id
        return self.school_zip_id

    @property
    def is_program_admin(self) -> bool:
        return self.is_active and self.role == Role.PROGRAM_ADMIN

    @property
    def is_regional_manager(self) -> bool:
        return self.is_active and self.role == Role.REGIONAL_MANAGER

    @property
    def is_program_manager(self) -> bool:
        return self.is_active and self.role == Role.PROGRAM_MANAGER


# Role changes are audited; the password hash and login times never enter the log.
auditlog.register(User, include_fields=["email", "role", "is_active", "first_name", "last_name"])

# API tokens (django-rest-knox): who made or revoked one, and when; the hash never enters the log.
auditlog.register(AuthToken, include_fields=["user", "token_key", "expiry"])
