"""Index rows carry their statement's ``stored``: agent and activity pages come from one ordered index range."""

from django.db import migrations, models

BACKFILL = [
    f"UPDATE {table} SET stored = (SELECT s.stored FROM lrs_statement s WHERE s.seq = {table}.statement_id)"
    for table in ("lrs_statementagent", "lrs_statementactivity")
]


class Migration(migrations.Migration):

    dependencies = [
        ("lrs", "0002_key_version_and_query_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="statementagent", name="lrs_agent_ifi"),
        migrations.RemoveIndex(model_name="statementactivity", name="lrs_activity_iri"),
        migrations.AddField(model_name="statementagent", name="stored", field=models.DateTimeField(null=True)),
        migrations.AddField(model_name="statementactivity", name="stored", field=models.DateTimeField(null=True)),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(model_name="statementagent", name="stored", field=models.DateTimeField()),
        migrations.AlterField(model_name="statementactivity", name="stored", field=models.DateTimeField()),
        migrations.AddIndex(
            model_name="statementagent",
            index=models.Index(fields=["ifi", "related", "stored", "statement"], name="lrs_agent_ifi_stored"),
        ),
        migrations.AddIndex(
            model_name="statementactivity",
            index=models.Index(fields=["iri", "related", "stored", "statement"], name="lrs_activity_iri_stored"),
        ),
    ]
