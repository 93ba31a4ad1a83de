"""Routes under /api/v1/surveys/: results/ (scoped) and responses/ (a teacher's own)."""

from django.urls import path

from .api import ResponseCreateView, ResultsView

urlpatterns = [
    path("results/", ResultsView.as_view(), name="survey-results"),
    path("responses/", ResponseCreateView.as_view(), name="survey-response-create"),
]
