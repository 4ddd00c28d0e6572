# The full-text index of message bodies (rooms/search_index.py): an FTS5 table and its triggers on
# SQLite, a stored tsvector column and its GIN index on PostgreSQL; nothing in the model state.

from django.db import migrations

from rooms import search_index


def install(apps, schema_editor):
    search_index.install(schema_editor)


def uninstall(apps, schema_editor):
    search_index.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('rooms', '0007_message_changes'),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
