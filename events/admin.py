"""Program admins' raw view of events and registrations. The pages (events.views) are the
place to register people and take attendance: they go through the services and the waitlist."""

from django.contrib import admin
from django.db.models import Count, Q

from .models import Event, EventRegistration, RegistrationStatus


class EventRegistrationInline(admin.TabularInline):
    model = EventRegistration
    extra = 0
    fields = ["user", "partner", "role", "status", "attended", "registered_at"]
    readonly_fields = ["registered_at"]
    raw_id_fields = ["user", "partner"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "partner")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "starts_on",
        "ends_on",
        "host_partner",
        "capacity",
        "registered",
        "is_demo",
    ]
    list_filter = ["kind", "is_online", "is_demo", "state"]
    search_fields = ["name", "city", "venue", "host_partner__name"]
    date_hierarchy = "starts_on"
    list_select_related = ["host_partner"]
    raw_id_fields = ["host_partner", "created_by"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [EventRegistrationInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                registered_count=Count(
                    "registrations",
                    filter=Q(registrations__status=RegistrationStatus.REGISTERED),
                )
            )
        )

    @admin.display(description="Registered", ordering="registered_count")
    def registered(self, obj: Event) -> int:
        return obj.registered_count


@admin.register(EventRegistration)
class EventRegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "partner", "role", "status", "attended", "registered_at"]
    list_filter = ["status", "attended", "role", "event__kind"]
    search_fields = ["user__email", "user__last_name", "event__name", "partner__name"]
    list_select_related = ["user", "event", "partner"]
    raw_id_fields = ["user", "event", "partner", "attendance_marked_by"]
