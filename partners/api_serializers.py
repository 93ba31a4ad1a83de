"""Serializers of /api/v1/partners/<partner_pk>/: program managers, commitments, check-ins."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from applications.models import Invitation
from core.program_years import validate_program_year

from .commitments import CommitmentState
from .models import CheckInNote, ProgramManager


def _fte_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=3,
        decimal_places=2,
        min_value=Decimal("0.05"),
        max_value=Decimal("1.00"),
        help_text="Share of a full-time position, 0.05 to 1.00.",
        **kwargs,
    )


class ProgramManagerUserSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.SerializerMethodField()
    email = serializers.EmailField(read_only=True)

    def get_name(self, user) -> str:
        return user.get_full_name() or user.email


class PartnerProgramManagerSerializer(serializers.ModelSerializer):
    user = ProgramManagerUserSerializer(read_only=True)
    is_counted = serializers.BooleanField(
        source="user.is_active",
        read_only=True,
        help_text="Whether the share counts toward the total (the account is active).",
    )

    class Meta:
        model = ProgramManager
        fields = ["id", "user", "fte_share", "since", "is_counted"]
        read_only_fields = fields


class PartnerInvitationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invitation
        fields = ["id", "email", "fte_share", "created_at"]
        read_only_fields = fields


# One object for the whole list (totals beside the rows): not a list of these.
@extend_schema_serializer(many=False)
class ProgramManagerListSerializer(serializers.Serializer):
    total_fte = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="FTE of the managers with active accounts."
    )
    minimum_fte = serializers.DecimalField(max_digits=3, decimal_places=2)
    state = serializers.ChoiceField(
        choices=[CommitmentState.MET, CommitmentState.MISSED],
        help_text="`met` at the minimum or above, else `missed`.",
    )
    results = PartnerProgramManagerSerializer(many=True)
    pending_invitations = PartnerInvitationSerializer(many=True)


class ProgramManagerInviteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, help_text="Used to greet them in the email.")
    email = serializers.EmailField(max_length=254)
    fte_share = _fte_field()


class ProgramManagerShareSerializer(serializers.Serializer):
    fte_share = _fte_field()
    confirm_below_minimum = serializers.BooleanField(
        default=False,
        help_text="Required (true) when the change leaves the partner below 0.5 FTE.",
    )


class ProgramManagerRemoveQuerySerializer(serializers.Serializer):
    confirm_below_minimum = serializers.BooleanField(
        default=False,
        help_text="Required (true) when the removal leaves the partner below 0.5 FTE.",
    )


class PartnerCommitmentSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    state = serializers.ChoiceField(choices=CommitmentState.choices)
    state_label = serializers.CharField()
    detail = serializers.CharField()
    action_label = serializers.CharField(help_text="The open task, if any; else empty.")
    action_url = serializers.CharField(help_text="Where the task is done (a path); else empty.")


class PartnerCommitmentsQuerySerializer(serializers.Serializer):
    program_year = serializers.CharField(
        required=False,
        validators=[validate_program_year],
        help_text="e.g. 2026-27; the current program year when left out.",
    )


class PartnerCommitmentsSerializer(serializers.Serializer):
    partner = serializers.IntegerField()
    program_year = serializers.CharField()
    commitments = PartnerCommitmentSerializer(many=True)


class CheckInNoteSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = CheckInNote
        fields = ["id", "happened_on", "body", "author", "created_at", "updated_at"]
        read_only_fields = fields

    def get_author(self, note) -> str:
        return str(note.author) if note.author else ""
