from django.urls import path

from rooms import direct, message_views, views

app_name = "rooms"
urlpatterns = [
    path("", views.index, name="index"),
    path("rooms/<slug:slug>/", views.room, name="room"),
    path("rooms/<slug:slug>/history/", views.older_messages, name="history"),
    path("rooms/<slug:slug>/messages/", views.post, name="post"),
    path("rooms/<slug:slug>/messages/<int:pk>/", message_views.message, name="message"),
    path("rooms/<slug:slug>/messages/<int:pk>/edit/", message_views.edit, name="edit"),
    path("rooms/<slug:slug>/messages/<int:pk>/delete/", message_views.delete, name="delete"),
    path("rooms/<slug:slug>/messages/<int:pk>/reactions/", message_views.react, name="react"),
    path("mentions/", views.mentions, name="mentions"),
    path("dm/<str:username>/", direct.open_direct_room, name="direct"),
    path("viewer.css", views.viewer_css, name="viewer-css"),
    path("search/", views.search_messages, name="search"),
]
