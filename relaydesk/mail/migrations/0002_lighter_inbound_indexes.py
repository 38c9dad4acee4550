"""Indexes of inbound mail shaped to what reads them, and written less.

- The rate limit's index holds one sender's processed mail by date, and only processed mail.
  With (sender, received_at) for all mail, SQLite chose inmail_status for the rate limit's
  COUNT and read every sender's processed mail of the window, for every message received.
- The ticket and message foreign keys are indexed only where set: a message is stored before
  it has either, so its first commit wrote two index entries for NULL only to move them.

The foreign keys' own indexes are dropped by the names 0001_initial gave them on every
database; the model state changes as the AlterFields say (on SQLite, AlterField itself would
copy the whole table).
"""

import django.db.models.deletion
from django.db import migrations, models

# (column, index name from 0001_initial)
DROPPED = [
    ("message_id", "mail_inboundmail_message_id_74c65cc7"),
    ("ticket_id", "mail_inboundmail_ticket_id_2ee59b30"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="inboundmail", name="inmail_sender"),
        migrations.AddIndex(
            model_name="inboundmail",
            index=models.Index(
                condition=models.Q(status="processed"),
                fields=["sender", "received_at"],
                name="inmail_processed_sender",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="inboundmail",
                    name="message",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="inbound_mails",
                        to="tickets.message",
                    ),
                ),
                migrations.AlterField(
                    model_name="inboundmail",
                    name="ticket",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="inbound_mails",
                        to="tickets.ticket",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "mail_inboundmail" ("{column}")',
                )
                for column, name in DROPPED
            ],
        ),
        migrations.AddIndex(
            model_name="inboundmail",
            index=models.Index(
                condition=models.Q(ticket__isnull=False), fields=["ticket"], name="inmail_ticket"
            ),
        ),
        migrations.AddIndex(
            model_name="inboundmail",
            index=models.Index(
                condition=models.Q(message__isnull=False), fields=["message"], name="inmail_message"
            ),
        ),
    ]
