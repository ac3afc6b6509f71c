from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ambiti import importers

BAR_WIDTH = 40


class Command(BaseCommand):
    help = (
        "Loads every active Italian comune from the list shipped with python-codicefiscale "
        "(ANPR): creates the missing ones, updates the changed ones, marks as inactive those "
        "that no longer exist. Writes only what changed; running it again changes nothing."
    )

    def handle(self, *args, **options):
        progress = self.show_progress if self.stdout.isatty() else None
        try:
            esito = importers.sync_comuni(importers.read_municipalities(), progress=progress)
        except importers.DatiNonValidi as e:
            raise CommandError("\n".join(e.lines())) from e
        if not esito.changed:
            self.stdout.write(
                _("No changes: %(count)s municipalities already up to date.")
                % {"count": esito.unchanged}
            )
            return
        if progress:
            self.stdout.write("")  # ends the line of the progress bar
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Municipalities: %(created)s created, %(updated)s updated, "
                    "%(deactivated)s deactivated, %(unchanged)s unchanged."
                )
                % vars(esito)
            )
        )

    def show_progress(self, done, total):
        filled = BAR_WIDTH * done // total
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stdout.flush()
