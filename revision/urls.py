from django.urls import path

from revision import views

app_name = "revision"

urlpatterns = [
    path("start/", views.after_login, name="after_login"),
    path("today/", views.today, name="today"),
    path("today/questions/", views.due_questions, name="due_questions"),
    path("today/schedule.<fmt>", views.export, name="export"),
    path("flashcards/", views.session, name="session"),
    path("flashcards/<int:pk>/rate/", views.rate, name="rate"),
    path("flashcards/topics/", views.topics, name="topics"),
    path("flashcards/topics/<slug:slug>/", views.study, name="study"),
]
