from rest_framework import serializers

from .models import Accreditation, AccreditationStatus, RosterMember


class AccreditationSerializer(serializers.ModelSerializer):
    course = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    course_name = serializers.CharField(source="course.name", read_only=True)
    status = serializers.ChoiceField(choices=AccreditationStatus.choices, read_only=True)

    class Meta:
        model = Accreditation
        fields = ["course", "course_name", "program_year", "status"]
        read_only_fields = fields


class RosterMemberSerializer(serializers.ModelSerializer):
    """A facilitator on a partner's roster, with their accreditations of one program year."""

    facilitator_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="facilitator.get_full_name", read_only=True)
    email = serializers.EmailField(source="facilitator.email", read_only=True)
    accreditations = AccreditationSerializer(
        source="facilitator.year_accreditations", many=True, read_only=True
    )

    class Meta:
        model = RosterMember
        fields = ["id", "facilitator_id", "name", "email", "since", "accreditations"]
        read_only_fields = fields
