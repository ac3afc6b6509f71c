"""Each views module of the app keeps its own ``urlpatterns``; they are mounted here."""

from terzo_settore.views import avvisi, organizzazioni, rilevazioni

app_name = "terzo_settore"

urlpatterns = [*organizzazioni.urlpatterns, *avvisi.urlpatterns, *rilevazioni.urlpatterns]
