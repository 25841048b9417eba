"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Revision Portal administration"
admin.site.site_title = "Revision Portal admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("tutor/", include("cohorts.urls")),
    path("", include("assessments.urls")),
    path("", include("topics.urls")),
]
