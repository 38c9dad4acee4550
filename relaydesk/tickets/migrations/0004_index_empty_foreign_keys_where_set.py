"""Index mostly-empty foreign keys only where they are set (partial indexes): a ticket
without a type or a follow-up, and an audit row written by the system, add no entry for NULL.

The old full indexes are dropped by the names 0001_initial gave them on every database; the
model state changes as the AlterFields say (on SQLite, AlterField would copy each table).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name)
DROPPED = [
    ("tickets_event", "actor_id", "tickets_event_actor_id_12973423"),
    ("tickets_ticket", "follow_up_of_id", "tickets_ticket_follow_up_of_id_29bc6d56"),
    ("tickets_ticket", "ticket_type_id", "tickets_ticket_ticket_type_id_763402dc"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_password_reset_request"),
        ("tickets", "0003_drop_indexes_led_by_composites"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="event",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="follow_up_of",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="follow_ups",
                        to="tickets.ticket",
                        verbose_name="follow-up of",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="ticket_type",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="tickets.tickettype",
                        verbose_name="type",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                condition=models.Q(("actor__isnull", False)), fields=["actor"], name="event_actor"
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("ticket_type__isnull", False)),
                fields=["ticket_type"],
                name="tk_type",
            ),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("follow_up_of__isnull", False)),
                fields=["follow_up_of"],
                name="tk_follow_up",
            ),
        ),
    ]
