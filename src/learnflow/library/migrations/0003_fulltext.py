"""Resources are searched with the journal in one search: the same full-text machinery (FTS5 triggers on SQLite, a
GIN expression index on PostgreSQL), with status and author as narrowing tokens."""
from django.db import migrations

from learnflow.search import fulltext


def forwards(apps, schema_editor):
    fulltext.install(schema_editor, "library_resource")


def backwards(apps, schema_editor):
    fulltext.uninstall(schema_editor, "library_resource")


class Migration(migrations.Migration):
    dependencies = [("library", "0002_library")]
    operations = [migrations.RunPython(forwards, backwards)]
