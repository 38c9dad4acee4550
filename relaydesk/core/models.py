from django.db import connection, models
from django.utils.translation import gettext_lazy as _

# Ticket numbers start at 1001 so they look like numbers, not ids.
SEQUENCE_STARTS = {"ticket": 1000}


class Sequence(models.Model):
    """A named counter that only goes up, so numbers handed out are never reused."""

    name = models.CharField(max_length=50, primary_key=True)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sequence")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


def next_value(name: str) -> int:
    """Atomically increment sequence NAME and return the new value.

    One UPDATE ... RETURNING takes the row lock (PostgreSQL) or the write lock (SQLite), so
    two concurrent callers can never get the same value.
    """
    table = Sequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET value = value + 1 WHERE name = %s RETURNING value",  # noqa: S608
            [name],
        )
        row = cursor.fetchone()
    if row is None:
        # The row is missing only after a flush (migrations create it): start where they do.
        Sequence.objects.get_or_create(name=name, defaults={"value": SEQUENCE_STARTS.get(name, 0)})
        return next_value(name)
    return int(row[0])
