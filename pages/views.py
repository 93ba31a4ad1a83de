from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from applications.views.apply import landing_context
from core.page_cache import cache_for_visitors
from geography.models import Region
from geography.selectors import zip_lookup
from partners.forms import ContactForm
from partners.models import Partner
from partners.selectors import partner_profile
from partners.services import contact_message_send

from . import selectors, services
from .forms import InterestForm, ZipLookupForm
from .models import TermSheet
from .pdf import one_pager_pdf


@cache_for_visitors(selectors.page_fingerprint)
def program(request):
    """The public program page: content blocks, live figures and the coverage map."""
    coverage = selectors.coverage()
    return render(
        request,
        "pages/program.html",
        {
            "blocks": selectors.program_blocks(),
            "coverage": coverage,
            "figures": coverage.figures,
            "map_svg": mark_safe(coverage.map_svg),  # noqa: S308 - escaped by geography.map
            "terms": selectors.terms_current(),
        },
    )


def terms(request):
    current = selectors.terms_current()
    if current is None:
        raise Http404("No term sheet has been published yet.")
    return _render_terms(request, current)


def terms_version(request, version: str):
    sheet = get_object_or_404(TermSheet.objects.published(), version=version)
    return _render_terms(request, sheet)


def _render_terms(request, sheet: TermSheet):
    current = selectors.terms_current()
    return render(
        request,
        "pages/terms.html",
        {
            "sheet": sheet,
            "is_current": current is not None and sheet.pk == current.pk,
            "current": current,
            "versions": selectors.terms_published(),
        },
    )


def apply(request):
    """Where an application starts: who may apply, the open regions, and the terms to accept.

    A signed-in applicant starts (or continues) their application here; ?region=<slug> (from
    the map and the ZIP lookup) preselects the region to apply for.
    """
    return render(
        request,
        "pages/apply.html",
        {
            "open_regions": selectors.open_regions(),
            "terms": selectors.terms_current(),
            "figures": selectors.program_figures(),
            **landing_context(request),
        },
    )


def one_pager(request):
    pdf = one_pager_pdf(base_url=request.build_absolute_uri(reverse("pages:program")))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="regional-partner-program.pdf"'
    return response


def find(request):
    """Find your partner by ZIP code: who serves it, what they offer, how to reach them."""
    if "zip" not in request.GET:
        return render(request, "pages/find.html", {"form": ZipLookupForm()})
    form = ZipLookupForm(request.GET)
    if not form.is_valid():
        return render(request, "pages/find.html", {"form": form}, status=400)
    code = form.cleaned_data["zip"]
    place = zip_lookup(code)
    if place is None:
        form.add_error("zip", f"There is no ZIP code {code} in the United States.")
        return render(request, "pages/find.html", {"form": form}, status=404)
    region = place.region
    partner = region.partner if region and region.status == Region.Status.SERVED else None
    context = {
        "form": form,
        "place": place,
        "region": region,
        "partner": partner,
        "contact_form": ContactForm(
            initial={"partner": partner.slug if partner else "", "zip": code}
        ),
        "interest_form": InterestForm(initial={"zip": code}),
        "wants_partner": region is None
        or region.status in (Region.Status.OPEN, Region.Status.CLOSED),
    }
    if partner:
        context.update(partner_profile(partner))
    return render(request, "pages/find.html", context)


@require_POST
@ratelimit(key="ip", rate="5/h", method="POST", block=False)
def contact(request):
    form = ContactForm(request.POST)
    partner = None
    if form.is_valid() and form.cleaned_data["partner"]:
        partner = Partner.objects.public().filter(slug=form.cleaned_data["partner"]).first()
        if partner is None:
            form.add_error(None, "That partner does not exist; your message was not sent.")
    if getattr(request, "limited", False):
        form.add_error(
            None, "You have sent several messages in a short time. Please try again in an hour."
        )
    if form.is_valid() and not form.non_field_errors():
        data = form.cleaned_data
        contact_message_send(
            partner=partner,
            name=data["name"],
            email=data["email"],
            message=data["message"],
            zip_code=data["zip"],
        )
        to_whom = partner.name if partner else "the program office"
        messages.success(request, f"Your message is on its way to {to_whom}.")
        if partner:
            return redirect(partner)
        return redirect(reverse("pages:find") + (f"?zip={data['zip']}" if data["zip"] else ""))
    # 429 when refused for the rate limit (Too Many Requests), 400 for a form to correct.
    status = 429 if getattr(request, "limited", False) else 400
    return render(request, "pages/contact.html", {"form": form, "partner": partner}, status=status)


@require_POST
@ratelimit(key="ip", rate="10/h", method="POST", block=False)
def notify(request):
    """ "Tell me when a partner serves my area", from the find page in an open region."""
    form = InterestForm(request.POST)
    place = None
    if form.is_valid():
        place = zip_lookup(form.cleaned_data["zip"])
        if place is None:
            form.add_error(
                "zip", f"There is no ZIP code {form.cleaned_data['zip']} in the United States."
            )
    if getattr(request, "limited", False):
        form.add_error(None, "Too many sign-ups from your connection. Please try again in an hour.")
    if form.is_valid() and not form.non_field_errors():
        services.interest_signup_create(
            email=form.cleaned_data["email"], role=form.cleaned_data["role"], zip_code=place
        )
        messages.success(
            request, "Thank you. We will email you when a Regional Partner serves your area."
        )
        return redirect(reverse("pages:find") + f"?zip={place.code}")
    status = 429 if getattr(request, "limited", False) else 400
    return render(request, "pages/notify.html", {"form": form}, status=status)
