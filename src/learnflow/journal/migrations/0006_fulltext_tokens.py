"""The journal's FTS5 index (SQLite) keeps author, visibility and the month of `learned_on` as tokens of their own
(see fulltext.narrowing_token), read through a content view, and a second small index holds the titles alone
(fulltext.boost_table). A search narrowed to "shared with my team" no longer reads the posting list of the word
"team", a date range narrows inside the index, and "is it in the title" reads the short title lists. PostgreSQL's
index has no narrowing columns and is left as it is. Rebuilding takes about a minute per million entries."""
from django.db import migrations, models

from learnflow.search import fulltext


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        fulltext.reinstall(schema_editor, "journal_entry")


class Migration(migrations.Migration):
    dependencies = [("journal", "0005_fulltext_prefix")]
    operations = [
        migrations.AddIndex(model_name="entry", index=models.Index(fields=["learned_on"], name="entry_learned_on")),
        # Backwards keeps the new layout: the code of every earlier migration answers the same queries with it.
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
