"""The plan's list pages run as many queries with 3N rows as with N."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from piani.models import Piano, VersionePiano
from tests.ambiti.factories import AmbitoFactory
from tests.ambiti.test_views_queries import queries
from tests.piani import test_piano_views as pagine
from tests.tavoli.factories import IncontroFactory, TavoloFactory
from tests.terzo_settore.factories import AvvisoFactory

_media = pagine._media
piano = pagine.piano

N = 5


def aggiungi_piani(n, *, by):
    """``n`` published plans of as many ambiti, each with two versions."""
    for _i in range(n):
        piano = Piano.objects.create(
            ambito=AmbitoFactory(),
            anno_inizio=2025,
            titolo="Piano di Zona 2025-2027",
            created_by=by,
            stato=Piano.Stato.APPROVATO,
            approvato_il=datetime.date(2025, 3, 1),
            pubblicato_at=timezone.now(),
        )
        VersionePiano.objects.bulk_create(
            VersionePiano(
                piano=piano,
                numero=numero,
                motivo="manuale",
                contenuto={},
                sha256="x",
                created_by=by,
            )
            for numero in (1, 2)
        )


def stesse_query(client, url, aggiungi):
    aggiungi(N)
    client.get(url)  # warm caches (content types, session)
    poche = queries(client, url)
    aggiungi(2 * N)
    molte = queries(client, url)
    assert poche == molte, f"{url}: {poche} queries with {N} rows, {molte} with {3 * N}"


@pytest.mark.parametrize("persona", ["anonymous", "admin_regionale"])
@pytest.mark.parametrize("suffisso", ["", "?format=csv", "?q=piano&pubblicato=1"])
def test_list_of_plans(client, request, staff, persona, suffisso):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    url = reverse("piani:elenco") + suffisso
    stesse_query(client, url, lambda n: aggiungi_piani(n, by=staff))


def test_list_of_versions(client, staff, piano):
    client.force_login(staff)

    def aggiungi(n):
        ultimo = piano.versioni.count()
        VersionePiano.objects.bulk_create(
            VersionePiano(
                piano=piano,
                numero=ultimo + k + 1,
                motivo="manuale",
                contenuto={},
                sha256="x",
                created_by=staff,
            )
            for k in range(n)
        )

    stesse_query(client, reverse("piani:versioni", args=[piano.pk]), aggiungi)


def test_working_page_with_many_links_in_the_phases(client, staff, ambito, piano):
    client.force_login(staff)

    def aggiungi(n):
        for fase in piano.fasi.all():
            for _i in range(n):
                tavolo = TavoloFactory(ambito=ambito)
                fase.tavoli.add(tavolo)
                fase.incontri.add(IncontroFactory(tavolo=tavolo))
                fase.avvisi.add(AvvisoFactory(ambito=ambito))

    stesse_query(client, reverse("piani:piano", args=[piano.pk]), aggiungi)
