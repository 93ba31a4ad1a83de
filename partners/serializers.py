from rest_framework import serializers

from .models import Partner


class PublicPartnerSerializer(serializers.ModelSerializer):
    """A partner's public profile fields: nothing about its people or money."""

    state = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    zip = serializers.SlugRelatedField(
        source="zip_code", slug_field="code", read_only=True, allow_null=True
    )
    regions = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    courses = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Partner
        fields = [
            "id", "name", "slug", "organization_type", "status", "description", "website",
            "contact_email", "phone", "city", "state", "zip", "regions", "courses", "url",
        ]  # fmt: skip


class PartnerRefSerializer(serializers.ModelSerializer):
    """A partner named where something else is the subject (a workshop, an award)."""

    class Meta:
        model = Partner
        fields = ["id", "name", "slug"]
        read_only_fields = fields
