"""Prefix indexes (2, 3 and 4 characters) in the journal's FTS5 table, so that search-as-you-type reads one posting
list instead of merging every completion's. PostgreSQL needs nothing: its prefix match uses the same GIN index."""
from django.db import migrations

from learnflow.search import fulltext


def forwards(apps, schema_editor):
    fulltext.reinstall(schema_editor, "journal_entry")


def backwards(apps, schema_editor):
    pass  # the index without prefix lists answers the same queries, more slowly


class Migration(migrations.Migration):
    dependencies = [("journal", "0004_fulltext_narrowing")]
    operations = [migrations.RunPython(forwards, backwards)]
