from django.contrib import admin
from django.db.models import Count

from rooms.models import Message, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_private", "message_count", "created_at"]
    list_filter = ["is_private"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(message_count=Count("messages"))

    def get_readonly_fields(self, request, obj=None):
        # A direct-message room stays private, between its two members.
        if obj is not None and obj.is_direct:
            return ["is_private", "members", "slug"]
        return super().get_readonly_fields(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        return (
            {}
            if obj is not None and obj.is_direct
            else super().get_prepopulated_fields(request, obj)
        )

    @admin.display(ordering="message_count")
    def message_count(self, room):
        return room.message_count


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["body", "author", "room", "created_at"]
    list_filter = ["room", "author"]
    search_fields = ["body", "author__username"]
    list_select_related = ["author", "room"]
    raw_id_fields = ["author"]

    # Messages are posted in rooms, through the one posting path; the admin reads and
    # deletes them (a deletion reaches open pages live).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
