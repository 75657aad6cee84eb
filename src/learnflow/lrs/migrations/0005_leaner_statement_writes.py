from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):
    """One B-tree and five foreign-key checks fewer per stored statement (see the models' comments).

    The person index is dropped by name rather than by AlterField, which on SQLite would copy the whole statement
    table; the name is the one Django gave it in 0001 on every database.
    """

    dependencies = [
        ("lrs", "0004_registration_index_partial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL("DROP INDEX IF EXISTS lrs_statement_person_id_f14f9191",
                                  reverse_sql="CREATE INDEX lrs_statement_person_id_f14f9191 "
                                              "ON lrs_statement (person_id)"),
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="statement",
                    name="person",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL,
                                            related_name="xapi_statements", to=settings.AUTH_USER_MODEL),
                ),
            ],
        ),
        migrations.AlterField(
            model_name="statementagent",
            name="statement",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="agent_rows", to="lrs.statement"),
        ),
        migrations.AlterField(
            model_name="statementactivity",
            name="statement",
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="activity_rows", to="lrs.statement"),
        ),
    ]
