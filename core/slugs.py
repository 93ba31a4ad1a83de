from django.utils.text import slugify


def unique_slug(
    model, name: str, *, max_length: int, field: str = "slug", reserved: frozenset = frozenset()
) -> str:
    """A slug for `name` not yet used by `model`: `name`, then `name-2`, `name-3`…

    `reserved` slugs are never given: fixed paths beside the slugged ones use them.
    """
    base = slugify(name)[:max_length].strip("-") or "item"
    taken = set(reserved) | set(
        model._default_manager.filter(**{f"{field}__startswith": base}).values_list(
            field, flat=True
        )
    )
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = f"{base[: max_length - len(suffix)]}{suffix}"
    return candidate
