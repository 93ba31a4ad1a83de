from django import template
from django.utils.safestring import mark_safe

from core.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> str:
    # Safe because render_markdown sanitizes with nh3 against an allow-list.
    return mark_safe(render_markdown(value))  # noqa: S308


@register.filter
def field_type(bound_field) -> str:
    return bound_field.field.widget.__class__.__name__


@register.filter
def get_item(mapping, key):
    """`mapping[key]` in a template, None when absent."""
    return mapping.get(key) if mapping else None
