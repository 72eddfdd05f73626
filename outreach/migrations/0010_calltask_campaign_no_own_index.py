# The campaign's own index on call tasks is dropped: the unique (campaign, household) index and the
# claim indexes all lead with the campaign. Only the index goes: Django's AlterField would also drop
# and re-add the foreign key, checking every task again under lock.

import django.db.models.deletion
from django.db import migrations, models

INDEX = "outreach_calltask_campaign_id_2191b603"


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0009_need_referral_campaign"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{INDEX}"',
                    reverse_sql=f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "outreach_calltask" ("campaign_id")',
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="calltask",
                    name="campaign",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="tasks",
                        to="outreach.campaign",
                        verbose_name="campagne",
                    ),
                )
            ],
        )
    ]
