from django.urls import path

from assignments import views

app_name = "assignments"

urlpatterns = [
    path("assignments/", views.learner_list, name="learner_list"),
    path("assignments/<int:pk>/", views.detail, name="detail"),
    path("assignments/<int:pk>/start/", views.start, name="start"),
    path("tutor/assignments/", views.tutor_list, name="tutor_list"),
    path("tutor/cohorts/<int:cohort_pk>/assignments/new/", views.create, name="create"),
    path("tutor/assignments/<int:pk>/", views.tutor_detail, name="tutor_detail"),
    path("tutor/assignments/<int:pk>/edit/", views.edit, name="edit"),
    path("tutor/assignments/<int:pk>/close/", views.close, name="close"),
    path("tutor/assignments/<int:pk>/delete/", views.delete, name="delete"),
    path("tutor/assignments/<int:pk>/results.csv", views.export, name="export"),
]
