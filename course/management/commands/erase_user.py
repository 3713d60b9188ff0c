from django.core.management.base import BaseCommand, CommandError

from course import privacy

from ._privacy_user import find_user


class Command(BaseCommand):
    help = "Erase USER (username or id): personal data deleted, answers kept anonymous, the erasure recorded."

    def add_arguments(self, parser):
        parser.add_argument("user")

    def handle(self, *args, **options):
        user = find_user(options["user"])
        if user is None:
            # A second run of the same erasure: nothing left, nothing to do.
            self.stdout.write(f"No account {options['user']!r}: nothing to erase.")
            return
        try:
            report = privacy.erase_user(user.pk)
        except privacy.ErasureRefused as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{kind} {n}" for kind, n in report.counts.items() if n)
        self.stdout.write(f"Erased account {report.user_id}: {summary or 'no rows'}.")
