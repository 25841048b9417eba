from django.urls import path

from topics import views

app_name = "topics"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("topics/<slug:slug>/", views.TopicDetailView.as_view(), name="detail"),
]
