from django.http import Http404
from django.urls import path


def rsvp(request, token):  # placeholder, replaced by the RSVP page
    raise Http404


urlpatterns = [path("rsvp/<str:token>/", rsvp, name="rsvp")]
