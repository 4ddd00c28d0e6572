from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from rooms import broadcast
from rooms.models import Message


@receiver(post_delete, sender=Message)
def remove_deleted_message_from_pages(sender, instance, **kwargs):
    transaction.on_commit(partial(broadcast.message_deleted, instance))
