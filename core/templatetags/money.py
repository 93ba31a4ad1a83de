"""Currency display, one filter for the whole project: `{% load money %}{{ x|usd }}`."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")
NONE = "—"


def usd(value) -> str:
    """Format as dollars: "$1,234.50"; "-$5.00" below zero; "—" for None, "" or junk."""
    if value is None or value == "":
        return NONE
    try:
        amount = Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return NONE
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


register.filter("usd", usd)
