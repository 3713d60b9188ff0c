from django.core.management.base import BaseCommand, CommandError

from course import privacy

from ._privacy_user import find_user


class Command(BaseCommand):
    help = "Write everything Attune holds about USER (username or id) to a ZIP of JSON with summary.html."

    def add_arguments(self, parser):
        parser.add_argument("user")
        parser.add_argument("--out", required=True, help="Path of the ZIP file to write.")

    def handle(self, *args, **options):
        user = find_user(options["user"])
        if user is None:
            raise CommandError(f"user: no account {options['user']!r}.")
        privacy.export_to_file(user, options["out"])
        self.stdout.write(f"Wrote {options['out']} (export recorded for account {user.pk}).")
