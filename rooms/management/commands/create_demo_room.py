from django.core.management.base import BaseCommand

from rooms.models import Room


class Command(BaseCommand):
    help = 'Create the room "lobby" when there is no room yet, so a new install has one.'

    def handle(self, *args, **options):
        if Room.objects.exists():
            return
        Room.objects.create(name="lobby", slug="lobby", description="Say hello to everyone here.")
        self.stdout.write('Created the demo room "lobby".')
