"""A learner's own cohorts and invitations, at /cohorts/ (the tutor pages are at /tutor/)."""

from django.urls import path

from cohorts import views

app_name = "my_cohorts"

urlpatterns = [
    path("", views.my_cohorts, name="list"),
    path("invitations/<int:pk>/accept/", views.accept_invitation, name="accept"),
    path("invitations/<int:pk>/decline/", views.decline_invitation, name="decline"),
    path("<int:pk>/leave/", views.leave_cohort, name="leave"),
]
