"""The demo plan goes through the whole cycle: what a newcomer sees after ``seed_demo``."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from piani.models import Accordo, Piano, VoceBudget
from tavoli.models import Votazione
from tests.piani.pdf import leggi_pdf


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    return Piano.objects.get(ambito__codice="oglio-po", anno_inizio=2025)


def test_the_demo_plan_is_approved_published_and_its_accordo_in_signature(demo, tmp_path):
    piano = demo
    assert piano.stato == Piano.Stato.APPROVATO and piano.pubblicato
    assert all(s.testo for s in piano.sezioni.all()) and piano.sezioni.count() == 8
    obiettivi = piano.obiettivi.filter(rimosso_at__isnull=True)
    assert 6 <= obiettivi.count() <= 10
    assert all(o.indicatori.exists() and o.azioni.exists() for o in obiettivi)

    consultazione = piano.consultazioni.get()
    assert consultazione.chiusa
    assert consultazione.osservazioni.count() >= 3
    assert not consultazione.osservazioni.filter(esito="").exists()

    assert piano.votazione.esito == Votazione.Esito.APPROVATA
    assert piano.versione_approvata.numero > consultazione.versione.numero

    # The accordo's resources are the approved version's budget, to the cent.
    totale = VoceBudget.objects.filter(piano=piano, rimosso_at__isnull=True).aggregate(
        t=Sum("previsto")
    )["t"]
    assert sum(Decimal(v["previsto"]) for v in piano.versione_approvata.contenuto["budget"]) == (
        totale
    )
    accordo = piano.accordo
    assert accordo.stato == Accordo.Stato.IN_FIRMA and len(accordo.sha256) == 64
    percorso = tmp_path / "accordo.pdf"
    percorso.write_bytes(accordo.pdf.read())
    testo = leggi_pdf(percorso)
    intero = f"{totale:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f"€ {intero}" in testo
    assert "Comune di Casalmaggiore" in testo and "Cooperativa sociale Il Girasole" in testo


def test_seeding_again_changes_nothing(demo):
    prima = (Piano.objects.count(), VoceBudget.objects.count(), demo.versioni.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Piano.objects.count(), VoceBudget.objects.count(), demo.versioni.count()) == prima
