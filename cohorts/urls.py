from django.urls import path

from cohorts import views

app_name = "cohorts"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cohorts/new/", views.create_cohort, name="create"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="detail"),
    path("cohorts/<int:pk>/points/", views.class_view, name="class_view"),
    path("cohorts/<int:pk>/answers/", views.cohort_answers, name="answers"),
    path("cohorts/<int:pk>/learners/<int:learner_pk>/", views.learner_detail, name="learner"),
    path("cohorts/<int:pk>/export/<kind>.csv", views.export, name="export"),
    path("cohorts/<int:pk>/report/", views.report, name="report"),
    path("cohorts/<int:pk>/members/", views.members, name="members"),
    path("cohorts/<int:pk>/members/add/", views.add_member, name="add_member"),
    path("cohorts/<int:pk>/members/upload/", views.upload_members, name="upload_members"),
    path(
        "cohorts/<int:pk>/members/<int:learner_pk>/remove/",
        views.remove_member,
        name="remove_member",
    ),
    path("cohorts/<int:pk>/join-code/", views.regenerate_code, name="regenerate_code"),
    path("cohorts/<int:pk>/tutors/add/", views.add_tutor, name="add_tutor"),
    path("answers/<int:response_pk>/mark/", views.override, name="override"),
    path("queue/", views.queue, name="queue"),
]
