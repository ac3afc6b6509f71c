"""The demo organisations: believable, valid, and the same after seeding twice."""

import io

import pytest
from django.core.management import call_command

from ambiti.validators import validate_codice_fiscale
from pdz.demo import PASSWORD
from terzo_settore.models import Organizzazione, Referente


def snapshot():
    organizzazioni = []
    for o in Organizzazione.objects.select_related("ente__sede").prefetch_related(
        "aree", "sedi_operative", "ente__ambiti", "referenti__user"
    ):
        organizzazioni.append(
            (
                o.ente.denominazione,
                o.ente.codice_fiscale,
                o.ente.partita_iva,
                o.ente.sede.codice_catastale,
                o.forma_giuridica,
                o.iscrizione,
                o.sezione_runts,
                o.numero_repertorio,
                sorted(a.nome for a in o.aree.all()),
                sorted(c.codice_catastale for c in o.sedi_operative.all()),
                sorted(a.codice for a in o.ente.ambiti.all()),
                sorted((r.user.email, r.gestore, r.stato) for r in o.referenti.all()),
            )
        )
    return organizzazioni


@pytest.mark.django_db
def test_seed_twice_gives_the_same_organisations(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    Organizzazione.objects.filter(ente__denominazione__startswith="Fondazione").update(
        numero_repertorio="1"
    )
    Referente.objects.update(gestore=False)
    call_command("seed_demo", stdout=io.StringIO())

    assert snapshot() == first
    assert len(first) >= 12
    assert len({row[4] for row in first}) >= 6  # several legal forms
    for name, codice, partita_iva, *_rest, referenti in first:
        validate_codice_fiscale(codice)
        assert len(codice) == 11, name
        assert partita_iva in ("", codice)
        assert [(gestore, stato) for _e, gestore, stato in referenti] == [(True, "attivo")], name
        assert client.login(email=referenti[0][0], password=PASSWORD), name
        client.logout()


@pytest.mark.django_db
def test_the_girasole_is_managed_by_the_demo_referente(client):
    call_command("seed_demo", stdout=io.StringIO())
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    assert girasole.forma_giuridica == "coop_a"
    assert girasole.referenti.get().user.email == "referente@example.org"
    assert girasole.ente.ruoli.get().user.email == "referente@example.org"  # same party
    client.login(email="referente@example.org", password=PASSWORD)
    response = client.get(f"/organizzazioni/{girasole.pk}/")
    assert response.status_code == 200
