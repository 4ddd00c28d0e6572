from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "rooms"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_migrate

        from rooms import signals  # noqa: F401
        from rooms.search_index import restore_triggers
        from rooms.usernames import refuse_lookalikes

        # auth.User is Django's, not ours to declare; its username's validators run on every
        # path that validates a name: the sign-up and admin forms, createsuperuser.
        get_user_model()._meta.get_field("username").validators.append(refuse_lookalikes)
        post_migrate.connect(restore_triggers, sender=self)
