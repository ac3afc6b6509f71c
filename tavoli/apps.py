from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TavoliConfig(AppConfig):
    name = "tavoli"
    verbose_name = _("Tables and meetings")

    def ready(self):
        from pdz import todo
        from tavoli.todo import public_incontri, todo_membro, todo_staff

        todo.register_public(public_incontri)
        todo.register(todo_membro)
        todo.register(todo_staff)
