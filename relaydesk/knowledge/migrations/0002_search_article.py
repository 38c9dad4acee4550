from django.db import migrations


def create_search(apps, schema_editor):
    from relaydesk.core import search

    search.create_article_tables(schema_editor.connection)


def drop_search(apps, schema_editor):
    from relaydesk.core import search

    search.drop_article_tables(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial"), ("core", "0002_search_and_sequences")]

    operations = [migrations.RunPython(create_search, drop_search)]
