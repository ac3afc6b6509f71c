"""The accordo's PDF and the plan's PDF read back with pdftotext: what an ambito signs.

Budget of the plan (tests/piani/test_accordo_servizi.py): FNPS € 123.456,78 in 2025 and
€ 1.000.000,00 in 2026, Fondo sociale regionale € 50.000,55 in 2027 — € 1.173.457,33 in all.
Municipal quota € 2,50 per resident: Casalmaggiore 15.473 → € 38.682,50, Viadana 20.143 →
€ 50.357,50, € 89.040,00 in all.
"""

import datetime
from decimal import Decimal

import pytest

from piani import documenti
from piani.models import Accordo
from piani.services import accordo as servizi
from tests.piani.pdf import leggi_pdf
from tests.piani.test_accordo_servizi import (
    adesione_accolta,
    ammessa,
    completa_ambito,
    piano_approvato,
)
from tests.tavoli.factories import TavoloFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def piano(ambito, staff, sindaco):
    completa_ambito(ambito)
    return piano_approvato(ambito, staff, quota=Decimal("2.50"))


def test_accordo_pdf_has_parties_signatories_resources_and_approval(ambito, piano, staff):
    from tavoli.models import Votazione

    adesione_accolta(
        piano, ammessa(ambito, ente__denominazione="Cooperativa sociale Il Girasole"), staff,
        firmatario_nome="Elena Ruggeri", firmatario_qualifica="Presidente",
        impegni="Trasporto sociale con dieci volontari.",
    )  # fmt: skip
    assemblea = TavoloFactory(ambito=ambito, tipo="assemblea_sindaci", nome="Assemblea dei Sindaci")
    piano.votazione = Votazione.objects.create(
        tavolo=assemblea,
        oggetto="Approvazione del Piano di Zona",
        modalita="palese",
        regola={"nome": "Ponderata", "peso": "popolazione"},
        stato="chiusa",
        esito="approvata",
        risultato={
            "componenti": {"teste": 2, "peso": 35616},
            "presenti": {"teste": 2, "peso": 35616},
            "favorevoli": {"teste": 2, "peso": 35616},
            "contrari": {"teste": 0, "peso": 0},
            "astenuti": {"teste": 0, "peso": 0},
        },
        aperta_da=staff,
        chiusa_at=datetime.datetime(2025, 3, 12, 18, 0, tzinfo=datetime.UTC),
    )
    piano.save()
    accordo = servizi.prepara_accordo(piano, by=staff)

    documenti.pdf_accordo(accordo)

    accordo = Accordo.objects.get()
    testo = leggi_pdf(accordo.pdf.path)
    assert (
        "Accordo di programma per l'attuazione del Piano di Zona 2025-2027 "
        "dell'Ambito Oglio Po" in testo
    )
    assert "art. 34 del D.Lgs. 18 agosto 2000, n. 267" in testo
    assert "art. 19 della L. 8 novembre 2000, n. 328" in testo
    assert "Pagina 1 di" in testo
    # approval: the date and the vote
    assert "approvata dall'Assemblea dei Sindaci il 12 marzo 2025" in testo
    assert "voti favorevoli 2, contrari 0, astenuti 0" in testo
    assert "35.616 abitanti" in testo
    # the signatories
    for riga in [
        "Comune di Casalmaggiore",
        "Filippo Bongiovanni",
        "Comune di Viadana",
        "ATS della Val Padana",
        "ASST di Cremona",
        "Direttore Generale",
        "Cooperativa sociale Il Girasole",
        "Elena Ruggeri",
        "Presidente",
        "Letto, approvato e sottoscritto",
    ]:
        assert riga in testo, riga
    assert "Trasporto sociale con dieci volontari." in testo  # Allegato A
    # the resources, the Italian way
    assert "€ 1.173.457,33" in testo
    assert "€ 123.456,78" in testo
    assert "€ 1.123.456,78" in testo  # FNPS over the three years
    assert "€ 50.000,55" in testo
    # the comuni's quotas
    assert "€ 38.682,50" in testo and "€ 50.357,50" in testo and "€ 89.040,00" in testo
    assert "35.616" in testo  # population of the ambito
    assert "dal 1° gennaio 2025 al 31 dicembre 2027" in testo
    assert accordo.pdf_pagine == int(testo.split("Pagina 1 di ")[1].split()[0])


def test_table_of_contents_gives_page_numbers(piano, staff):
    accordo = servizi.prepara_accordo(piano, by=staff)
    documenti.pdf_accordo(accordo)
    testo = leggi_pdf(Accordo.objects.get().pdf.path)
    indice = testo.split("Indice", 1)[1].split("Premesse Visti", 1)[0]
    assert "Art. 6 – Risorse" in indice
    ultima = indice.split("Sottoscrizione")[1].strip(" .").split()[0]
    assert ultima.isdigit() and int(ultima) >= 2


def test_plan_pdf_has_sections_objectives_and_budget(piano):
    versione = piano.versione_approvata

    documenti.pdf_versione(versione)

    versione.refresh_from_db()
    testo = leggi_pdf(versione.pdf.path)
    assert "Piano di Zona 2025-2027" in testo
    assert "Ambito Oglio Po" in testo
    assert "Il sistema dei servizi dell'ambito." in testo  # section a
    assert "OB1 – Domiciliarità delle persone anziane" in testo
    assert "Quadro delle risorse" in testo
    assert "€ 1.173.457,33" in testo
    assert "Approvato dall'Assemblea dei Sindaci il 12 marzo 2025" in testo
    assert versione.pdf_pagine >= 4 and len(versione.pdf_sha256) == 64
