"""Needs and referrals carry the campaign of their call (the dashboard counts them without joining
every call log of the campaign).

The backfill is one UPDATE per table, each row taking its call log's campaign through a correlated
subquery on the call log's primary key (no loop over rows in Python; SQLite and PostgreSQL alike).
A referral without a call log keeps no campaign. Going back drops the columns: nothing to undo.
The indexes are created after the backfill, so that it does not maintain them row by row.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Set every need's and referral's campaign to its call log's (one UPDATE per table)."""
    CallLog = apps.get_model("outreach", "CallLog")
    for name in ("Need", "Referral"):
        model = apps.get_model("outreach", name)
        campaign_of_call = CallLog.objects.filter(pk=OuterRef("call_log_id")).values("campaign_id")
        model.objects.filter(call_log__isnull=False).update(campaign_id=Subquery(campaign_of_call))


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0008_tenant_callbacks'),
    ]

    operations = [
        migrations.AddField(
            model_name='need',
            name='campaign',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='needs', to='outreach.campaign', verbose_name='campagne'),
        ),
        migrations.AddField(
            model_name='referral',
            name='campaign',
            field=models.ForeignKey(blank=True, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='outreach.campaign', verbose_name='campagne'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name='need',
            index=models.Index(fields=['campaign', 'kind', 'handled'], name='need_campaign_kind_idx'),
        ),
        migrations.AddIndex(
            model_name='referral',
            index=models.Index(fields=['campaign', 'partner', 'status'], name='referral_campaign_partner_idx'),
        ),
    ]
