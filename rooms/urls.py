from django.urls import path

from rooms import views

app_name = "rooms"
urlpatterns = [
    path("", views.index, name="index"),
    path("rooms/<slug:slug>/", views.room, name="room"),
    path("rooms/<slug:slug>/history/", views.older_messages, name="history"),
    path("rooms/<slug:slug>/messages/", views.post, name="post"),
    path("search/", views.search_messages, name="search"),
]
