from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "applications"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - links invited program managers at sign-in
