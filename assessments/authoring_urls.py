"""The tutor's question pages, mounted at /tutor/questions/ (assessments.authoring_views)."""

from django.urls import path

from assessments import authoring_views as views

app_name = "authoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:slug>/", views.topic_questions, name="topic"),
    path("topics/<slug:slug>/add/<str:kind>/", views.add_question, name="add"),
    path("<int:pk>/edit/", views.edit_question, name="edit"),
    path("<int:pk>/retire/", views.retire, name="retire"),
    path("<int:pk>/try/", views.try_page, name="try"),
]
