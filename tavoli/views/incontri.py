from django.http import Http404
from django.urls import path


def incontro(request, pk):  # placeholder, replaced by the meeting page
    raise Http404


urlpatterns = [path("incontri/<int:pk>/", incontro, name="incontro")]
