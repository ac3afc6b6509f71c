from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AmbitiConfig(AppConfig):
    name = "ambiti"
    verbose_name = _("Territory and governance")

    def ready(self):
        from ambiti.todo import todo_staff
        from pdz import todo

        todo.register(todo_staff)
