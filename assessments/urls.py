from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("quizzes/", views.quiz_home, name="home"),
    path("quizzes/start/", views.start_quiz, name="start"),
    path("attempts/<int:pk>/questions/<int:number>/", views.question, name="question"),
    path("attempts/<int:pk>/all/", views.all_questions, name="all"),
    path("attempts/<int:pk>/review/", views.review, name="review"),
    path("attempts/<int:pk>/submit/", views.submit, name="submit"),
    path("attempts/<int:pk>/results/", views.results, name="results"),
    path("attempts/<int:pk>/status/", views.attempt_status, name="status"),
    path("attempts/<int:pk>/retry/", views.retry, name="retry"),
    path("progress/", views.progress, name="progress"),
]
