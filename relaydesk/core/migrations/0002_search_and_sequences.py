from django.db import migrations


def create_search(apps, schema_editor):
    from relaydesk.core import search

    search.create_tables(schema_editor.connection)


def drop_search(apps, schema_editor):
    from relaydesk.core import search

    search.drop_tables(schema_editor.connection)


def create_sequences(apps, schema_editor):
    Sequence = apps.get_model("core", "Sequence")
    # Ticket numbers start at 1001 so they look like numbers, not ids.
    Sequence.objects.get_or_create(name="ticket", defaults={"value": 1000})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(create_search, drop_search),
        migrations.RunPython(create_sequences, migrations.RunPython.noop),
    ]
