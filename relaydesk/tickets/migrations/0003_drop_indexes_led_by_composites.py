"""Drop the single-column indexes of foreign keys that lead a composite index already
(tk_queue, tk_requester, tk_org, tk_assignee, msg_ticket, att_ticket, event_ticket): each was
one more index to write for every ticket, message and audit row, and no query needs it.

Only the indexes are dropped, by the names 0001_initial gave them on every database; the
model state changes as the AlterFields say (on SQLite, AlterField itself would copy each
whole table).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# (table, column, index name)
DROPPED = [
    ("tickets_attachment", "ticket_id", "tickets_attachment_ticket_id_00f5c87f"),
    ("tickets_event", "ticket_id", "tickets_event_ticket_id_c2d3d586"),
    ("tickets_message", "ticket_id", "tickets_message_ticket_id_a1134910"),
    ("tickets_ticket", "assignee_id", "tickets_ticket_assignee_id_3a5aa407"),
    ("tickets_ticket", "organization_id", "tickets_ticket_organization_id_7128da48"),
    ("tickets_ticket", "queue_id", "tickets_ticket_queue_id_0d3cb9ef"),
    ("tickets_ticket", "requester_id", "tickets_ticket_requester_id_2072a2f2"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("tickets", "0002_event_deescalated"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="attachment",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="message",
                    name="ticket",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messages",
                        to="tickets.ticket",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_tickets",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="organization",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="tickets",
                        to="accounts.organization",
                        verbose_name="organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="queue",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="accounts.queue",
                        verbose_name="queue",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="requester",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requested_tickets",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requester",
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
        )
    ]
