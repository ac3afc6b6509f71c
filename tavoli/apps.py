from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TavoliConfig(AppConfig):
    name = "tavoli"
    verbose_name = _("Tables and meetings")
