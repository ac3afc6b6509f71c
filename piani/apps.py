from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PianiConfig(AppConfig):
    name = "piani"
    verbose_name = _("Plans")

    def ready(self):
        from pdz import todo
        from piani.todo import public_piani, todo_partecipante, todo_staff

        todo.register_public(public_piani)
        todo.register(todo_partecipante)
        todo.register(todo_staff)
