import argparse
import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti import importers


def iso_date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("%(value)s is not a date in the form YYYY-MM-DD.") % {"value": value}
        ) from None


class Command(BaseCommand):
    help = (
        "Imports the residents of each comune from an ISTAT-style CSV file (';' or ',' "
        "separated, with or without a title line) as the figures at the date given. Checks the "
        "whole file first: if any row is wrong it lists every problem and changes nothing. "
        "Importing again for the same date updates the figures; other dates are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The CSV file.")
        parser.add_argument(
            "--data",
            dest="data_riferimento",
            type=iso_date,
            required=True,
            metavar="YYYY-MM-DD",
            help="The reference date of the figures, e.g. 2025-01-01.",
        )
        parser.add_argument(
            "--fonte",
            help=(
                'Where the figures come from, e.g. "ISTAT, popolazione residente al 1° gennaio '
                '2025". Default: the file name.'
            ),
        )

    def handle(self, *args, file, data_riferimento, fonte, **options):
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
        if fonte is None:
            fonte = file.name
        try:
            esito = importers.import_popolazione(file, data_riferimento, fonte)
        except importers.DatiNonValidi as e:
            count = len(e.errors)
            title = ngettext(
                "%(file)s was not imported, nothing has changed: %(count)s problem.",
                "%(file)s was not imported, nothing has changed: %(count)s problems.",
                count,
            ) % {"file": file.name, "count": count}
            raise CommandError("\n".join([title, *e.lines()])) from e
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Residents at %(date)s from %(file)s: %(comuni)s municipalities, "
                    "%(residenti)s residents in total; %(created)s added, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % {
                    "date": date_format(data_riferimento, "SHORT_DATE_FORMAT"),
                    "file": file.name,
                    "comuni": esito.comuni,
                    "residenti": number_format(esito.residenti, force_grouping=True),
                    "created": esito.created,
                    "updated": esito.updated,
                    "unchanged": esito.unchanged,
                }
            )
        )
