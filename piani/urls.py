"""Each views module of the app keeps its own ``urlpatterns``; they are mounted here."""

from piani.views import accordo, approvazione, budget, consultazione, obiettivi, piano

app_name = "piani"

urlpatterns = [
    *piano.urlpatterns,
    *obiettivi.urlpatterns,
    *budget.urlpatterns,
    *consultazione.urlpatterns,
    *approvazione.urlpatterns,
    *accordo.urlpatterns,
]
