"""Serializers of /api/v1/partners/<partner_pk>/districts/ and .../partnerships/.

Read serializers show what the workspace pages show; input serializers only type the input:
every write goes through districts.services, which judges it.
"""

from collections.abc import Mapping

from rest_framework import serializers

from workshops.models import Course

from .models import District, DistrictCommitment, DistrictPartnership


class StrictFieldsMixin:
    """Refuse keys the serializer does not know, rather than silently ignore them: a client
    that sends `district` to an update learns that it was not changed."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(str(name) for name in set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name.encode("utf-8", "replace").decode("utf-8"): ["Unknown field."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class DistrictSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)
    county = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)
    school_count = serializers.IntegerField(read_only=True, help_text="Open schools.")

    class Meta:
        model = District
        fields = ["id", "nces_id", "name", "city", "state", "county", "school_count"]


class PartnershipDistrictSerializer(serializers.ModelSerializer):
    state = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = District
        fields = ["id", "nces_id", "name", "state"]


class CommitmentSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    course_name = serializers.CharField(source="course.name", read_only=True)

    class Meta:
        model = DistrictCommitment
        fields = ["id", "program_year", "course", "course_name", "teachers", "updated_at"]


class CommitmentInputSerializer(StrictFieldsMixin, serializers.Serializer):
    program_year = serializers.CharField(max_length=7, help_text="For example 2026-27.")
    course = serializers.SlugRelatedField(
        slug_field="slug", queryset=Course.objects.all(), help_text="The course's slug."
    )
    teachers = serializers.IntegerField(min_value=1, max_value=5000)


class PartnershipSerializer(serializers.ModelSerializer):
    district = PartnershipDistrictSerializer(read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta:
        model = DistrictPartnership
        fields = [
            "id", "district", "since", "contact_name", "contact_title", "contact_email",
            "contact_phone", "notes", "commitments", "created_at", "updated_at",
        ]  # fmt: skip


class PartnershipUpdateSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = DistrictPartnership
        fields = [
            "since",
            "contact_name",
            "contact_title",
            "contact_email",
            "contact_phone",
            "notes",
        ]
        # The unique (partner, district) check is the service's: it names the field.
        validators: list = []


class PartnershipCreateSerializer(PartnershipUpdateSerializer):
    district = serializers.SlugRelatedField(
        slug_field="nces_id",
        queryset=District.objects.select_related("state"),
        help_text="The district's seven-digit NCES LEA id.",
    )

    class Meta(PartnershipUpdateSerializer.Meta):
        fields = ["district", *PartnershipUpdateSerializer.Meta.fields]
