from django.db import migrations
from django.utils import timezone


def seed_defaults(apps, schema_editor):
    # Historical models: the same logic as pages.services.content_ensure_defaults.
    from pages.defaults import PROGRAM_BLOCKS, TERMS_BODY, TERMS_SUMMARY, TERMS_VERSION

    ContentBlock = apps.get_model("pages", "ContentBlock")
    TermSheet = apps.get_model("pages", "TermSheet")
    for block in PROGRAM_BLOCKS:
        ContentBlock.objects.get_or_create(
            key=block["key"],
            defaults={
                "title": block["title"],
                "body": block["body"],
                "order": block["order"],
                "link_url": block.get("link_url", ""),
            },
        )
    if not TermSheet.objects.exists():
        TermSheet.objects.create(
            version=TERMS_VERSION,
            title="Regional Partner Program term sheet",
            summary=TERMS_SUMMARY,
            body=TERMS_BODY,
            status="published",
            published_at=timezone.now(),
        )


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]

    operations = [migrations.RunPython(seed_defaults, migrations.RunPython.noop)]
