from django.urls import include, path

from rooms import direct, message_views, views

app_name = "rooms"

# A message's pages sit under its permalink: its fragment links them from that one reverse().
message_pages = [
    path("", message_views.message, name="message"),
    path("actions/", message_views.actions, name="actions"),
    path("edit/", message_views.edit, name="edit"),
    path("delete/", message_views.delete, name="delete"),
    path("reactions/", message_views.react, name="react"),
]

urlpatterns = [
    path("", views.index, name="index"),
    path("rooms/<slug:slug>/", views.room, name="room"),
    path("rooms/<slug:slug>/history/", views.older_messages, name="history"),
    path("rooms/<slug:slug>/messages/", views.post, name="post"),
    path("rooms/<slug:slug>/messages/<int:pk>/", include(message_pages)),
    path("mentions/", views.mentions, name="mentions"),
    path("dm/<str:username>/", direct.open_direct_room, name="direct"),
    path("viewer.css", views.viewer_css, name="viewer-css"),
    path("search/", views.search_messages, name="search"),
]
