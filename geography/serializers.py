from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Region


class RegionPartnerSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()
    url = serializers.CharField(help_text="The partner's public profile.")


class RegionSerializer(serializers.ModelSerializer):
    states = serializers.SerializerMethodField(help_text="Two-letter codes of states it touches.")
    partner = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["id", "name", "slug", "status", "description", "states", "partner"]

    def get_states(self, region) -> list[str]:
        return sorted(self.context.get("region_states", {}).get(region.pk, []))

    @extend_schema_field(RegionPartnerSerializer(allow_null=True))
    def get_partner(self, region) -> dict | None:
        return partner_payload(region)


def partner_payload(region: Region | None) -> dict | None:
    """The partner shown publicly for a region: only a served region's active partner."""
    if region is None or region.status != Region.Status.SERVED or region.partner is None:
        return None
    partner = region.partner
    return {
        "name": partner.name,
        "slug": partner.slug,
        "url": reverse("partners:profile", kwargs={"slug": partner.slug}),
    }


class LookupRegionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=Region.Status.choices)


class ZipLookupSerializer(serializers.Serializer):
    zip = serializers.CharField()
    city = serializers.CharField()
    state = serializers.CharField(help_text="Two-letter USPS code.")
    county = serializers.CharField(allow_null=True)
    region = LookupRegionSerializer(allow_null=True)
    partner = RegionPartnerSerializer(allow_null=True)
    matched_on = serializers.ChoiceField(
        choices=["zip", "county", "state"], allow_null=True, help_text="How the region matched."
    )


class LookupErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
