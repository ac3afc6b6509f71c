"""The plan: list, page, phases, sections, attachments, versions and the public pages."""

from django.shortcuts import render
from django.urls import path

from pdz.lists import paginate
from piani.permissions import piani_visibili


def elenco(request):
    """Every plan the person may see: published ones, those of the ambiti they take part in."""
    queryset = (
        piani_visibili(request.user)
        .select_related("ambito")
        .order_by("-anno_inizio", "ambito__nome")
    )
    return render(request, "piani/elenco.html", {"page": paginate(request, queryset)})


urlpatterns = [path("", elenco, name="elenco")]
