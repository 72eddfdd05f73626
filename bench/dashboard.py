"""Time the supervisor dashboard of a campaign of 100,000 tasks and 300,000 call logs (PostgreSQL).

Works in the configured database name plus ``_dashboard`` (dropped, created, migrated), seeded
like bench/call_queue.py with N households of one landlord, queued in one campaign by
``call_queue_refresh``, then given, in set-based SQL, three call logs per task over 30 days by 20
callers (mixed outcomes; a need on one call in ten and a referral on one in twenty), tasks updated
to their last outcome, then ``VACUUM ANALYZE``. It prints the time of ``campaign_dashboard`` (the
selector: five GROUP BY queries) and of the whole page through Django's test client, median and
worst of ``--repeat`` runs, and, with ``--explain``, each query's plan.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf .venv/bin/python bench/dashboard.py
        [--households 100000] [--logs-per-task 3] [--repeat 7] [--explain] [--keep | --reuse]
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (  # noqa: E402
    load_average,
    own_database,
    require_postgres,
    setup_django,
    verified_client,
)

TARGET_MS = 300
SETTLED = datetime.timedelta(minutes=2)  # past outreach.services.stats.SETTLE


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--logs-per-task", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of each query"
    )
    parser.add_argument("--json", help="write the summary to this file")
    keep = parser.add_mutually_exclusive_group()
    keep.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    keep.add_argument("--reuse", action="store_true", help="reuse a kept bench database")
    return parser.parse_args()


LOGS_SQL = """
INSERT INTO outreach_calllog
    (created_at, updated_at, task_id, campaign_id, household_id, landlord_id, caller_id, phone,
     outcome, answers, notes, called_at)
SELECT now(), now(), t.id, t.campaign_id, t.household_id, t.landlord_id,
       (%(callers)s)[1 + (t.id + n) %% array_length(%(callers)s, 1)],
       '', (ARRAY['no_answer', 'voicemail', 'reached_well', 'reached_needs_help',
                  'no_answer', 'reached_well', 'wrong_number'])[1 + (t.id * 7 + n) %% 7],
       '{}'::jsonb, '',
       now() - make_interval(days => ((t.id + n * 11) %% 30)::int, mins => ((t.id * 13) %% 600)::int)
FROM outreach_calltask t CROSS JOIN generate_series(1, %(per_task)s) AS n
WHERE t.campaign_id = %(campaign)s
"""

FOLLOW_UPS_SQL = [
    """
    INSERT INTO outreach_need
        (created_at, updated_at, call_log_id, campaign_id, household_id, kind, note, handled)
    SELECT now(), now(), l.id, l.campaign_id, l.household_id,
           (ARRAY['groceries', 'medicine', 'isolation', 'technical'])[1 + l.id %% 4], '',
           l.id %% 3 = 0
    FROM outreach_calllog l WHERE l.campaign_id = %(campaign)s AND l.id %% 10 = 0
    """,
    """
    INSERT INTO outreach_referral
        (created_at, updated_at, landlord_id, household_id, partner_id, call_log_id, campaign_id,
         reason, status, created_by_id)
    SELECT now(), now(), l.landlord_id, l.household_id, %(partner)s, l.id, l.campaign_id, 'Courses',
           (ARRAY['to_send', 'sent', 'closed'])[1 + l.id %% 3], l.caller_id
    FROM outreach_calllog l WHERE l.campaign_id = %(campaign)s AND l.id %% 20 = 0
    """,
    """
    UPDATE outreach_calltask t SET status = 'done', attempts = s.n, last_outcome = s.outcome
    FROM (SELECT DISTINCT ON (task_id) task_id, outcome,
                 count(*) OVER (PARTITION BY task_id) AS n
          FROM outreach_calllog WHERE campaign_id = %(campaign)s
          ORDER BY task_id, called_at DESC) s
    WHERE t.id = s.task_id
    """,
]


def fill(campaign, per_task: int) -> None:
    from django.db import connection, transaction

    from bench.call_queue import callers
    from outreach.models import Partner

    users = [user.pk for user in callers(campaign.landlord, 20)]
    partner = Partner.objects.create(name="CCAS du banc d'essai", kind="senior_service")
    params = {
        "callers": users,
        "per_task": per_task,
        "campaign": campaign.pk,
        "partner": partner.pk,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LOGS_SQL, params)
        for sql in FOLLOW_UPS_SQL:
            cursor.execute(sql, params)


def timed(function, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    args = parse_args()
    setup_django()
    require_postgres("dashboard", "measures PostgreSQL's aggregates")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.call_queue import BENCH_SLUG, seed
    from housing.models import Landlord, Role
    from outreach.models import (
        CallLog,
        CallTask,
        Campaign,
        CampaignCallerDay,
        CampaignReachDay,
        CampaignStatsMark,
        Need,
        Referral,
    )
    from outreach.selectors.dashboard import campaign_dashboard
    from outreach.services.queue import call_queue_refresh
    from outreach.services.stats import campaign_stats_fold
    from portal.models import User
    from tests.factories import make_staff

    with own_database("_dashboard", reuse=args.reuse, keep=args.keep):
        landlord = Landlord.objects.filter(slug=BENCH_SLUG).first()
        if landlord is None:
            started = time.perf_counter()
            seed(args.households)
            landlord = Landlord.objects.get(slug=BENCH_SLUG)
            campaign = Campaign.objects.create(
                landlord=landlord, name="Canicule", status=Campaign.Status.ACTIVE
            )
            call_queue_refresh(campaign_id=campaign.pk)
            fill(campaign, args.logs_per_task)
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            print(f"  seeded in {time.perf_counter() - started:.0f} s")
        campaign = Campaign.objects.get(landlord=landlord, name="Canicule")
        # A reused database was folded by the previous run: undo it, so that "before the fold"
        # aggregates every log again.
        for summary in (CampaignStatsMark, CampaignCallerDay, CampaignReachDay):
            summary.objects.filter(campaign=campaign).delete()
        tasks = CallTask.objects.filter(campaign=campaign).count()
        logs = CallLog.objects.filter(campaign=campaign).count()
        # The dashboard counts the needs and referrals that carry the campaign: as many as the
        # campaign's calls found (the seeding and the migration's backfill set it).
        dashboard = campaign_dashboard(campaign)
        needs = Need.objects.filter(call_log__campaign=campaign).count()
        referrals = Referral.objects.filter(call_log__campaign=campaign).count()
        assert sum(figure.count for figure in dashboard.needs) == needs
        assert sum(figure.count for figure in dashboard.referrals) == referrals
        print(
            f"dashboard of a campaign of {tasks} tasks, {logs} call logs, {needs} needs and "
            f"{referrals} referrals ({os.cpu_count()} CPUs, load average before: {load_average()})"
        )
        summary = {"tasks": tasks, "logs": logs}
        email = "responsable@banc-essai.example"
        supervisor = User.objects.filter(email=email).first() or make_staff(
            landlord, Role.SUPERVISOR, email=email
        )
        client = verified_client(supervisor)
        url = reverse("outreach:campaign_detail", args=[campaign.pk])
        # Before the first fold every log is aggregated live (the former dashboard), then the
        # beat job's fold (timed), then the dashboard on the summaries.
        for label in ("before the fold", "after the fold"):
            if label == "after the fold":
                started = time.perf_counter()
                campaign_stats_fold(
                    campaign_id=campaign.pk, now=CallLog.objects.latest("id").created_at + SETTLED
                )
                fold = (time.perf_counter() - started) * 1000
                print(f"  first fold of {logs} logs: {fold:.0f} ms")
                summary["fold_ms"] = fold
            selector, _worst = timed(lambda: campaign_dashboard(campaign), args.repeat)
            assert client.get(url).status_code == 200
            page, page_worst = timed(lambda: client.get(url), args.repeat)
            print(
                f"  {label}: campaign_dashboard median {selector:.0f} ms; the page median "
                f"{page:.0f} ms, worst {page_worst:.0f} ms (target < {TARGET_MS} ms)"
            )
            key = "before" if label.startswith("before") else "after"
            summary.update({f"selector_{key}_ms": selector, f"page_{key}_ms": page})
            if args.explain:
                with CaptureQueriesContext(connection) as queries:
                    campaign_dashboard(campaign)
                with connection.cursor() as cursor:
                    for query in queries.captured_queries:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                        print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")
        summary["page_ms"] = summary["page_after_ms"]
        if args.json:
            Path(args.json).write_text(json.dumps(summary))


if __name__ == "__main__":
    main()
