"""Real values for every URL keyword: which record of a side each route's keywords name."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from .routes import Route

# What `pk` names, by the longest matching URL-name prefix.
PK_OF = {
    "apply:": "application",
    "review:": "application",
    "workspace:manager_": "manager",
    "workspace:invitation_": "invitation",
    "workspace:check_in_": "check_in",
    "districts:": "partnership",
    "partner_workshops:": "workshop",
    "partner_enrollments:": "workshop",
    "partner_funding:independent_": "independent",
    "partner_funding:": "report",
    "funding:": "award",
    "workshops:attendance": "ended_workshop",
    "workshops:check_in": "ended_workshop",
    "workshops:certificate": "ended_workshop",
    "workshops:": "workshop",
    "surveys:question_": "question",
    "events:": "event",
    "api:partner-program-manager": "manager",
    "api:partner-district-": "district",
    "api:district-partnership": "partnership",
    "api:district-commitment": "commitment_pk",
    "api:partner-facilitator": "member_id",
    "api:partner-event-registration": "registration",
    "api:partner-event": "event",
    "api:workshop-enrollment": "enrollment_pk",
    "api:workshop-": "workshop",
    "api:funding-award": "award",
    "api:funding-spending-report": "report",
    "api:funding-independent": "independent",
    "api:metrics-partner": "partner_pk",
    "api:application": "application",
}

# Other keywords whose record depends on the route.
SPECIAL = {
    ("slug", "geography:"): "region_slug",
    ("slug", "api:region-"): "region_slug",
    ("enrollment_pk", "surveys:respond"): "attended_enrollment",
    ("workshop_pk", "surveys:workshop_results"): "ended_workshop",
    ("token", "apply:invitation"): "invitation_token",
    ("user_id", "facilitators:"): "facilitator",
}


def _longest(prefixes, name: str):
    matches = [prefix for prefix in prefixes if name.startswith(prefix)]
    return max(matches, key=len) if matches else None


def _admin_values(route: Route) -> dict:
    """The admin's keywords: the model named in the route, and one of its rows."""
    values: dict = {}
    parts = route.route.split("/")
    model = None
    if len(parts) > 2 and parts[1] and parts[2] and not parts[1].startswith("^"):
        try:
            model = apps.get_model(parts[1], parts[2])
        except LookupError:
            model = None
    row = model._default_manager.order_by("pk").first() if model else None
    if "object_id" in route.params:
        values["object_id"] = row.pk if row is not None else 999999
    if "app_label" in route.params:
        values["app_label"] = "partners"
    if "content_type_id" in route.params:
        from partners.models import Partner

        values["content_type_id"] = ContentType.objects.get_for_model(Partner).pk
        values["object_id"] = Partner.objects.order_by("pk").first().pk
    if "id" in route.params:  # the user admin's password form
        values["id"] = apps.get_model("accounts", "User").objects.order_by("pk").first().pk
    if "url" in route.params:
        values["url"] = "no-such-page/"
    return values


def values_for(route: Route, side, shared: dict) -> dict:
    """Every keyword of `route` filled with a record of `side` (or a shared one)."""
    if route.route.startswith("admin/"):
        return _admin_values(route)
    values = {}
    for param in route.params:
        key = param
        if param == "pk":
            key = PK_OF[_longest(PK_OF, route.name)]
        else:
            special = _longest([p for (k, p) in SPECIAL if k == param], route.name)
            if special is not None:
                key = SPECIAL[(param, special)]
        values[param] = side.kwargs[key] if key in side.kwargs else shared[key]
    return values
