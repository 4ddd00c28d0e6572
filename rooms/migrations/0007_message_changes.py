import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0006_username_skeletons"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="edited_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="message",
            name="changed_seq",
            field=models.PositiveBigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        # Every message so far last changed when it was posted.
        migrations.RunSQL(
            "UPDATE rooms_message SET changed_seq = seq", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(fields=["room", "changed_seq"], name="message_room_changed"),
        ),
        migrations.CreateModel(
            name="Reaction",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("emoji", models.CharField(max_length=8)),
                ("message", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="reactions", to="rooms.message")),
                ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "ordering": ["pk"],
                "constraints": [models.UniqueConstraint(fields=("message", "user", "emoji"), name="reaction_unique")],
            },
        ),
        migrations.CreateModel(
            name="Removal",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField()),
                ("message_pk", models.BigIntegerField()),
                ("room", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="removals", to="rooms.room")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("room", "seq"), name="removal_room_seq_unique")],
            },
        ),
    ]
