"""The library's FTS5 index (SQLite) keeps status, author and the month of `published_at` as tokens of their own
(see fulltext.narrowing_token), read through a content view, and a second small index holds titles and summaries
alone (fulltext.boost_table). Narrowing to published resources no longer reads the posting list of the word
"published", and a date range narrows inside the index. PostgreSQL's index is left as it is."""
from django.db import migrations, models

from learnflow.search import fulltext


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        fulltext.reinstall(schema_editor, "library_resource")


class Migration(migrations.Migration):
    dependencies = [("library", "0005_resource_image_queued")]
    operations = [
        migrations.AddIndex(model_name="resource",
                            index=models.Index(fields=["published_at"], name="library_res_published")),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
