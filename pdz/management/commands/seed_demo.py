from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = (
        "Creates (or brings back to its initial state) the demo data: a believable ambito "
        "and one user per role. Running it twice gives the same data."
    )

    def handle(self, *args, **options):
        # Every app may have a ``demo`` module with ``seed(stdout)``; they run in the order of
        # INSTALLED_APPS, which is the order of their dependencies.
        with transaction.atomic():
            for config in apps.get_app_configs():
                module = f"{config.name}.demo"
                if find_spec(module) is not None:
                    import_module(module).seed(self.stdout)
        from pdz.demo import print_credentials

        print_credentials(self.stdout)
