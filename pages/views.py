from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from geography.selectors import region_rows

from . import selectors
from .models import TermSheet
from .pdf import one_pager_pdf


def program(request):
    """The public program page: content blocks, live figures and (next) the coverage map."""
    return render(
        request,
        "pages/program.html",
        {
            "blocks": selectors.program_blocks(),
            "figures": selectors.program_figures(),
            "terms": selectors.terms_current(),
            "region_rows": region_rows(),
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
    """Where an application starts: who may apply, the open regions, and the terms to accept."""
    return render(
        request,
        "pages/apply.html",
        {
            "open_regions": selectors.open_regions(),
            "terms": selectors.terms_current(),
            "figures": selectors.program_figures(),
        },
    )


def one_pager(request):
    pdf = one_pager_pdf(base_url=request.build_absolute_uri(reverse("pages:program")))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="regional-partner-program.pdf"'
    return response
