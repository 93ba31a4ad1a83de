"""The program office's review pages, under /manage/applications/."""

from django.urls import path

from .views import review

app_name = "review"

urlpatterns = [
    path("", review.queue, name="queue"),
    path("export.csv", review.export, name="export"),
    path("decide/", review.decide_bulk, name="decide_bulk"),
    path("decide/results/", review.decided_bulk, name="decided_bulk"),
    path("<int:pk>/", review.detail, name="detail"),
    path("<int:pk>/review/", review.score, name="score"),
    path("<int:pk>/reviewers/", review.assign, name="assign"),
    path("<int:pk>/move/", review.move, name="move"),
    path("<int:pk>/decide/", review.decide, name="decide"),
    path("<int:pk>/decision/", review.decided, name="decided"),
    path("<int:pk>/activate/", review.activate, name="activate"),
]
