"""The navigation: each role sees its own places, and only those."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str


PUBLIC = [
    ("The program", "pages:program"),
    ("Partners", "partners:directory"),
    ("Find your partner", "pages:find"),
    ("Terms", "pages:terms"),
    ("Apply", "pages:apply"),
    ("Workshops", "workshops:list"),
    ("Events", "events:list"),
]


def items_for(user) -> list[NavItem]:
    items = [NavItem(label, reverse(name)) for label, name in PUBLIC]
    if not user.is_authenticated:
        return items
    items.append(NavItem("My home", reverse("accounts:home")))
    if user.role == "teacher":
        items.append(NavItem("My workshops", reverse("workshops:mine")))
    if user.role == "facilitator":
        items.append(NavItem("Workshops I lead", reverse("workshops:facilitating")))
    if user.role in ("facilitator", "program_manager", "regional_manager", "program_admin"):
        items.append(NavItem("Survey results", reverse("surveys:results")))
    if user.is_program_manager:
        items.append(NavItem("My partner workspace", reverse("workspace:list")))
    if user.is_program_admin or user.is_regional_manager:
        items.append(NavItem("Partner workspaces", reverse("workspace:list")))
        items.append(NavItem("Metrics", reverse("metrics:program")))
        items.append(NavItem("Applications", reverse("review:queue")))
        items.append(NavItem("Facilitators", reverse("facilitators:accreditations")))
        items.append(NavItem("Funding", reverse("funding:overview")))
    if user.is_program_admin:
        items.append(NavItem("Regions", reverse("geography:region_list")))
        items.append(NavItem("Audit trail", reverse("audit:log")))
        items.append(NavItem("Administration", reverse("admin:index")))
    return items
