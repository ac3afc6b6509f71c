from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerzoSettoreConfig(AppConfig):
    name = "terzo_settore"
    verbose_name = _("Third sector")
