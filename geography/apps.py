from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "geography"

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the lookup-index receivers
