from django.db import migrations

from learnflow.search import fulltext


def forwards(apps, schema_editor):
    fulltext.install(schema_editor, "journal_entry")


def backwards(apps, schema_editor):
    fulltext.uninstall(schema_editor, "journal_entry")


class Migration(migrations.Migration):
    dependencies = [("journal", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
