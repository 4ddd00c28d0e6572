from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "rooms"

    def ready(self):
        from django.contrib.auth import get_user_model

        from rooms import signals  # noqa: F401
        from rooms.usernames import refuse_lookalikes

        # auth.User is Django's, not ours to declare; its username's validators run on every
        # path that validates a name: the sign-up and admin forms, createsuperuser.
        get_user_model()._meta.get_field("username").validators.append(refuse_lookalikes)
