from django.core.management.base import BaseCommand

from course import privacy


class Command(BaseCommand):
    help = "Blank free text older than its ATTUNE_PRIVACY_*_RETENTION_DAYS (for hosts without Celery beat)."

    def handle(self, *args, **options):
        done = privacy.apply_retention()
        if not done:
            self.stdout.write("No retention period is set: all free text is kept.")
        for kind, n in done.items():
            self.stdout.write(f"{kind}: {n} blanked")
