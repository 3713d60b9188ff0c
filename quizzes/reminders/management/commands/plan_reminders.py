from django.core.management.base import BaseCommand

from quizzes.reminders import reminders


class Command(BaseCommand):
    help = (
        "Run one reminder planning sweep now (what Celery beat runs every 5 minutes). "
        "--dry-run lists who would be reminded and why others are skipped, and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Write nothing and enqueue nothing.")

    def handle(self, *args, dry_run=False, **options):
        report = reminders.plan_sweep(dry_run=dry_run)
        for line in report.lines:
            self.stdout.write(line)
        skipped = ", ".join(f"{n} {reason}" for reason, n in report.skipped.most_common()) or "none"
        verb = "would plan" if dry_run else "planned"
        self.stdout.write(
            f"{verb} {report.planned} reminder{'s' if report.planned != 1 else ''}, "
            f"deferred {report.deferred} (quiet hours), skipped: {skipped}; "
            f"looked at {report.looked_at} trainee(s) in {report.batches} batch(es)"
            + (f"; relayed {report.relayed} overdue send(s)" if report.relayed else "")
            + (f"; expired {report.expired} stale" if report.expired else "")
            + (f"; marked {report.ambiguous} stuck send(s) ambiguous" if report.ambiguous else "")
            + "."
        )
