"""Index queue and assignee on their own again (0003 dropped them as led by tk_queue and
tk_assignee): a one-column index is (column, id) underneath, and a search checks its batch of
candidate ids against an agent's queues by seeking it. With only the composite indexes,
SQLite read every ticket of the agent's queues for each batch (60-70 ms at a million tickets,
against 10 ms).

Created under the names 0001_initial gave them, without rebuilding the table on SQLite.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column, index name)
CREATED = [
    ("tickets_ticket", "assignee_id", "tickets_ticket_assignee_id_3a5aa407"),
    ("tickets_ticket", "queue_id", "tickets_ticket_queue_id_0d3cb9ef"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_user_email_lower_case"),
        ("tickets", "0004_index_empty_foreign_keys_where_set"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="ticket",
                    name="assignee",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="assigned_tickets",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="assignee",
                    ),
                ),
                migrations.AlterField(
                    model_name="ticket",
                    name="queue",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="tickets",
                        to="accounts.queue",
                        verbose_name="queue",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")',
                    reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
                )
                for table, column, name in CREATED
            ],
        )
    ]
