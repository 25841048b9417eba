"""Top-level URL configuration."""

import os

from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

# A database outage anywhere in a request is served as the 503 page (see revision_portal.errors).
handler500 = "revision_portal.errors.server_error"

admin.site.site_header = "Revision Portal administration"
admin.site.site_title = "Revision Portal admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # Before django.contrib.auth's own: reset requests are rate-limited (accounts.views).
    path(
        "accounts/password_reset/",
        account_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("tutor/questions/", include("assessments.authoring_urls")),
    path("tutor/", include("cohorts.urls")),
    path("", include("assignments.urls")),
    path("", include("notifications.urls")),
    path("cohorts/", include("cohorts.learner_urls")),
    path("", include("revision.urls")),
    path("", include("assessments.urls")),
    path("", include("topics.urls")),
]

# The benchmark's baseline page (`make bench`), mounted only when BENCH_BASELINE=1 is set.
if os.environ.get("BENCH_BASELINE") == "1":
    from revision_portal.bench_views import baseline

    urlpatterns.append(path("bench/baseline/", baseline, name="bench_baseline"))
