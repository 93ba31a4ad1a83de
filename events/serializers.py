"""API shapes for events and registrations under /api/v1/partners/<partner_pk>/."""

from rest_framework import serializers

from accounts.models import User

from .models import Event, EventRegistration


class EventSerializer(serializers.ModelSerializer):
    """An event as a partner sees it (the online link stays on the page, for registered
    people)."""

    state = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "kind",
            "name",
            "description",
            "starts_on",
            "ends_on",
            "start_time",
            "end_time",
            "time_zone",
            "is_online",
            "venue",
            "address",
            "city",
            "state",
            "capacity",
            "registration_closes_on",
            "host_partner",
            "url",
        ]
        read_only_fields = fields


class RegistrationPersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "name", "email"]
        read_only_fields = fields


class RegistrationSerializer(serializers.ModelSerializer):
    user = RegistrationPersonSerializer(read_only=True)
    event_name = serializers.CharField(source="event.name", read_only=True)

    class Meta:
        model = EventRegistration
        fields = [
            "id",
            "event",
            "event_name",
            "user",
            "partner",
            "role",
            "status",
            "attended",
            "registered_at",
        ]
        read_only_fields = fields


class RegistrationCreateSerializer(serializers.Serializer):
    """Register a program manager of the partner (the requester unless `user` is given)."""

    event = serializers.PrimaryKeyRelatedField(queryset=Event.objects.all())
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text="A program manager of the partner; default: the requester.",
    )
