from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PdzConfig(AppConfig):
    name = "pdz"
    verbose_name = _("Piano di Zona")

    def ready(self):
        from pdz import todo

        todo.register(todo.account_tasks)
