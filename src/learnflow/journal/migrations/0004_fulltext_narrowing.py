"""The full-text index also keeps each entry's author and visibility as tokens, so a search in one person's journal
(or in what is shared with them) is narrowed inside the index rather than after reading every match."""
from django.db import migrations

from learnflow.search import fulltext


def forwards(apps, schema_editor):
    fulltext.reinstall(schema_editor, "journal_entry")


def backwards(apps, schema_editor):
    # The previous layout (text columns only) is a subset: a search still works with the current one.
    pass


class Migration(migrations.Migration):
    dependencies = [("journal", "0003_fulltext")]
    operations = [migrations.RunPython(forwards, backwards)]
