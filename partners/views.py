from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from core.fingerprint import tables_fingerprint
from core.page_cache import cache_for_visitors
from geography.models import Region
from workshops.models import Course

from . import selectors, services
from .filters import DirectoryFilter
from .forms import ContactForm, PartnerProfileForm
from .models import Partner


def _directory_fingerprint() -> str:
    return tables_fingerprint(Partner, Region, Course)


@cache_for_visitors(_directory_fingerprint)
def directory(request):
    """Active partners by the states they serve, filterable."""
    filterset = DirectoryFilter(request.GET or None, queryset=Partner.objects.public())
    partners = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = selectors.directory_page(partners, request.GET.get("page"))
    return render(
        request,
        "partners/directory.html",
        {"filter": filterset, "page": page, "count": partners.count()},
    )


def _profile_queryset(user):
    # The public sees active partners; a partner's own people (and admins) see it earlier too.
    return Partner.objects.filter(
        Q(status=Partner.Status.ACTIVE) | Q(pk__in=Partner.objects.visible_to(user).values("pk"))
    )


def profile(request, slug: str):
    partner = get_object_or_404(_profile_queryset(request.user), slug=slug)
    context = selectors.partner_profile(partner)
    context.update(
        partner=partner,
        can_edit=Partner.objects.editable_by(request.user).filter(pk=partner.pk).exists(),
        contact_form=ContactForm(initial={"partner": partner.slug}),
    )
    return render(request, "partners/profile.html", context)


@login_required
def profile_edit(request, slug: str):
    partner = get_object_or_404(Partner.objects.editable_by(request.user), slug=slug)
    form = PartnerProfileForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        services.partner_profile_update(partner=partner, user=request.user, data=form.cleaned_data)
        messages.success(request, "The public profile is saved.")
        return redirect(partner)
    return render(request, "partners/profile_edit.html", {"form": form, "partner": partner})
