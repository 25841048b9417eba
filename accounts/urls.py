from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
    path("join/", views.join, name="join"),
    path("my-data.json", views.my_data, name="my_data"),
    path("delete/", views.delete, name="delete"),
]
