"""Each views module of the app keeps its own ``urlpatterns``; they are mounted here."""

from tavoli.views import (
    calendario,
    incontri,
    presenze,
    riferimenti,
    rsvp,
    tavoli,
    verbali,
    votazioni,
)

app_name = "tavoli"

urlpatterns = [
    *calendario.urlpatterns,
    *riferimenti.urlpatterns,
    *rsvp.urlpatterns,
    *tavoli.urlpatterns,
    *incontri.urlpatterns,
    *presenze.urlpatterns,
    *verbali.urlpatterns,
    *votazioni.urlpatterns,
]
