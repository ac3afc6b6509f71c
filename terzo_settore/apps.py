from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerzoSettoreConfig(AppConfig):
    name = "terzo_settore"
    verbose_name = _("Third sector")

    def ready(self):
        from pdz import todo
        from terzo_settore.todo import public_avvisi, todo_referente, todo_staff
        from terzo_settore.todo_organizzazioni import todo_referente_organizzazioni
        from terzo_settore.views.valutazione import todo_commissione

        todo.register_public(public_avvisi)
        todo.register(todo_referente_organizzazioni)
        todo.register(todo_referente)
        todo.register(todo_staff)
        todo.register(todo_commissione)
