"""The accordo di programma's services: preparation and table of signatories, texts, the
state machine (in signature → signed → approved → published) with its refusals, and the
PDF regenerated only when its source changes.

Oglio Po (tests/conftest.py) with Casalmaggiore (15,473 residents, ente capofila) and
Viadana (20,143), the ATS della Val Padana and the ASST di Cremona.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ambiti.models import Ente
from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from piani import documenti
from piani.models import Accordo, Adesione, Firmatario, Piano, VersionePiano, sha256_json
from piani.services import accordo as servizi
from piani.versioni import istantanea
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory, PopolazioneFactory
from tests.piani.factories import (
    FonteFactory,
    ObiettivoFactory,
    VoceBudgetFactory,
    fonte,
    piano_con_sezioni,
)
from tests.terzo_settore.factories import DomandaFactory, OrganizzazioneFactory

APPROVATO_IL = datetime.date(2025, 3, 12)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def completa_ambito(ambito):
    """Populations, the ente capofila, the health authorities of the conftest's ambito."""
    casalmaggiore = ambito.enti.get(comune__nome="Casalmaggiore")
    viadana = ambito.enti.get(comune__nome="Viadana")
    for ente, residenti in [(casalmaggiore, 15473), (viadana, 20143)]:
        PopolazioneFactory(
            comune=ente.comune, data_riferimento=datetime.date(2025, 1, 1), residenti=residenti
        )
    ambito.ente_capofila = casalmaggiore
    ambito.save()
    for tipo, nome in [
        (Ente.Tipo.ASST, "ASST di Cremona"),
        (Ente.Tipo.ATS_ASL, "ATS della Val Padana"),
    ]:
        Ente.objects.create(tipo=tipo, denominazione=nome).ambiti.add(ambito)
    return ambito


def piano_approvato(ambito, by, *, quota=None):
    """A 2025-2027 plan with one objective and three budget lines (€ 1.173.457,33 in all),
    frozen and approved on 12 March 2025."""
    piano = piano_con_sezioni(ambito, by=by, a="Il sistema dei servizi dell'ambito.")
    piano.quota_pro_capite = quota
    piano.save()
    obiettivo = ObiettivoFactory(
        piano=piano, codice="OB1", titolo="Domiciliarità delle persone anziane"
    )
    VoceBudgetFactory(
        piano=piano, anno=2025, fonte=fonte("fnps"), obiettivo=obiettivo,
        previsto=Decimal("123456.78"),
    )  # fmt: skip
    VoceBudgetFactory(piano=piano, anno=2026, fonte=fonte("fnps"), previsto=Decimal("1000000"))
    VoceBudgetFactory(
        piano=piano, anno=2027, fonte=FonteFactory(nome="Fondo sociale regionale", ordine=50),
        previsto=Decimal("50000.55"),
    )  # fmt: skip
    contenuto = istantanea(piano)
    versione = VersionePiano.objects.create(
        piano=piano,
        numero=1,
        motivo=VersionePiano.Motivo.APPROVAZIONE,
        contenuto=contenuto,
        sha256=sha256_json(contenuto),
        created_by=by,
    )
    piano.stato = Piano.Stato.APPROVATO
    piano.versione_approvata = versione
    piano.approvato_il = APPROVATO_IL
    piano.save()
    return piano


def ammessa(ambito, **kwargs):
    """An organisation admitted by one of the ambito's notices."""
    organizzazione = OrganizzazioneFactory(**kwargs)
    DomandaFactory(avviso__ambito=ambito, organizzazione=organizzazione, stato="ammessa")
    return organizzazione


def adesione_accolta(piano, organizzazione, by, **kwargs):
    dati = {
        "piano": piano,
        "organizzazione": organizzazione,
        "stato": Adesione.Stato.ACCOLTA,
        "impegni": "Volontari per il trasporto sociale.",
        "firmatario_nome": "Giulia Rossi",
        "firmatario_qualifica": "Presidente",
        "richiesta_da": by,
        **kwargs,
    }
    return Adesione.objects.create(**dati)


def firma_tutti(accordo, by, *, giorno=datetime.date(2025, 4, 2)):
    """Upload a signed copy for every institutional party."""
    for firmatario in accordo.firmatari.filter(tipo=Firmatario.Tipo.ISTITUZIONALE):
        servizi.carica_copia(
            firmatario, file=SimpleUploadedFile("f.pdf", PDF), firmato_il=giorno, by=by
        )
    accordo.refresh_from_db()
    return accordo


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def piano(ambito, staff):
    completa_ambito(ambito)
    return piano_approvato(ambito, staff)


@pytest.fixture
def accordo(piano, staff):
    return servizi.prepara_accordo(piano, by=staff)


def in_firma(accordo, by):
    documenti.pdf_accordo(accordo)
    accordo.refresh_from_db()
    return servizi.metti_in_firma(accordo, by=by)


# --- preparation and signatories ------------------------------------------------------------


def test_accordo_cannot_be_prepared_before_approval(ambito, staff):
    completa_ambito(ambito)
    piano = piano_con_sezioni(ambito, by=staff)
    with pytest.raises(OperazioneNonValida):
        servizi.prepara_accordo(piano, by=staff)
    assert not Accordo.objects.exists()


def test_accordo_needs_an_ente_capofila(ambito, staff):
    piano = piano_approvato(ambito, staff)
    with pytest.raises(OperazioneNonValida, match="capofila"):
        servizi.prepara_accordo(piano, by=staff)
    assert not Accordo.objects.exists()


def test_accordo_is_prepared_once(accordo, piano, staff):
    with pytest.raises(OperazioneNonValida):
        servizi.prepara_accordo(piano, by=staff)
    assert Accordo.objects.count() == 1


def test_signatories_capofila_first_then_comuni_health_authorities_adherents(
    ambito, staff, sindaco
):
    completa_ambito(ambito)
    piano = piano_approvato(ambito, staff)
    sabbioneta = ComuneFactory(codice_catastale="H643", nome="Sabbioneta")
    AppartenenzaFactory(ambito=ambito, comune=sabbioneta)  # no Ente yet
    uscito = ComuneFactory(codice_catastale="C118", nome="Castelfranco")
    AppartenenzaFactory(ambito=ambito, comune=uscito, al=datetime.date(2020, 12, 31))
    zeta = adesione_accolta(piano, ammessa(ambito, ente__denominazione="Zeta ODV"), staff)
    adesione_accolta(
        piano, ammessa(ambito, ente__denominazione="Alfa APS"), staff,
        firmatario_nome="Marco Neri", firmatario_qualifica="Legale rappresentante",
    )  # fmt: skip
    adesione_accolta(
        piano, ammessa(ambito, ente__denominazione="In attesa"), staff,
        stato=Adesione.Stato.RICHIESTA,
    )  # fmt: skip
    adesione_accolta(
        piano, ammessa(ambito, ente__denominazione="Respinta"), staff,
        stato=Adesione.Stato.RESPINTA,
    )  # fmt: skip

    accordo = servizi.prepara_accordo(piano, by=staff)

    righe = [
        (f.ente.denominazione, f.tipo, f.nome, f.qualifica)
        for f in accordo.firmatari.select_related("ente")
    ]
    assert righe == [
        ("Comune di Casalmaggiore", "istituzionale", "Filippo Bongiovanni", "Sindaco"),
        ("Comune di Sabbioneta", "istituzionale", "", "Sindaco"),
        ("Comune di Viadana", "istituzionale", "", "Sindaco"),
        ("ATS della Val Padana", "istituzionale", "", "Direttore Generale"),
        ("ASST di Cremona", "istituzionale", "", "Direttore Generale"),
        ("Alfa APS", "aderente", "Marco Neri", "Legale rappresentante"),
        ("Zeta ODV", "aderente", "Giulia Rossi", "Presidente"),
    ]
    assert Ente.objects.get(comune=sabbioneta).ambiti.filter(pk=ambito.pk).exists()
    assert accordo.versione == piano.versione_approvata
    assert accordo.stato == Accordo.Stato.BOZZA
    assert "1° gennaio 2025 al 31 dicembre 2027" in accordo.durata
    assert "Assemblea dei Sindaci" in accordo.governance
    assert zeta.organizzazione.ente.denominazione in accordo.firmatari.values_list(
        "ente__denominazione", flat=True
    )
    assert AuditLog.objects.filter(action="accordo.preparato").exists()


def test_texts_given_replace_the_defaults(piano, staff):
    accordo = servizi.prepara_accordo(piano, by=staff, premesse="Visto il Piano.", durata="")
    assert accordo.premesse == "Visto il Piano."
    assert "31 dicembre 2027" in accordo.durata


def test_accepted_adhesion_joins_a_draft_accordo_and_withdrawal_removes_it(
    ambito, piano, accordo, staff, referente
):
    organizzazione = referente.referenze.get().organizzazione
    DomandaFactory(avviso__ambito=ambito, organizzazione=organizzazione, stato="ammessa")
    adesione = servizi.richiedi_adesione(
        piano, organizzazione=organizzazione, impegni="Trasporto sociale.",
        firmatario_nome="Elena Ruggeri", firmatario_qualifica="Presidente", by=referente,
    )  # fmt: skip
    servizi.decidi_adesione(adesione, accolta=True, by=staff)
    ultimo = accordo.firmatari.select_related("ente").last()
    assert (ultimo.ente, ultimo.tipo, ultimo.nome) == (
        organizzazione.ente,
        Firmatario.Tipo.ADERENTE,
        "Elena Ruggeri",
    )

    servizi.ritira_adesione(adesione, by=referente)
    assert not accordo.firmatari.filter(ente=organizzazione.ente).exists()


# --- texts ----------------------------------------------------------------------------------


def test_texts_change_only_while_being_prepared(accordo, staff):
    servizi.modifica_testi(accordo, premesse="Nuove premesse.", by=staff)
    accordo.refresh_from_db()
    assert accordo.premesse == "Nuove premesse."

    in_firma(accordo, staff)
    with pytest.raises(OperazioneNonValida):
        servizi.modifica_testi(accordo, premesse="Altre premesse.", by=staff)
    accordo.refresh_from_db()
    assert accordo.premesse == "Nuove premesse."


# --- the state machine ----------------------------------------------------------------------


def test_signature_needs_a_pdf_of_the_current_texts(accordo, staff):
    with pytest.raises(OperazioneNonValida, match="PDF"):
        servizi.metti_in_firma(accordo, by=staff)

    documenti.pdf_accordo(accordo)
    accordo.refresh_from_db()
    servizi.modifica_testi(accordo, impegni="Impegni riscritti.", by=staff)
    with pytest.raises(OperazioneNonValida, match="PDF"):
        servizi.metti_in_firma(accordo, by=staff)
    assert Accordo.objects.get().stato == Accordo.Stato.BOZZA

    documenti.pdf_accordo(accordo)
    accordo.refresh_from_db()
    accordo = servizi.metti_in_firma(accordo, by=staff)
    assert accordo.stato == Accordo.Stato.IN_FIRMA
    assert AuditLog.objects.filter(action="accordo.in_firma").exists()
    with pytest.raises(OperazioneNonValida):
        servizi.metti_in_firma(accordo, by=staff)


def test_copies_are_refused_before_signature(accordo, staff):
    firmatario = accordo.firmatari.first()
    with pytest.raises(OperazioneNonValida):
        servizi.carica_copia(
            firmatario, file=SimpleUploadedFile("f.pdf", PDF),
            firmato_il=datetime.date(2025, 4, 1), by=staff,
        )  # fmt: skip
    firmatario.refresh_from_db()
    assert not firmatario.firmato


def test_signed_when_every_institutional_party_has_signed(ambito, piano, staff):
    adesione_accolta(piano, ammessa(ambito, ente__denominazione="Alfa APS"), staff)
    accordo = servizi.prepara_accordo(piano, by=staff)
    in_firma(accordo, staff)
    istituzionali = list(accordo.firmatari.filter(tipo=Firmatario.Tipo.ISTITUZIONALE))
    giorni = [datetime.date(2025, 4, d) for d in (3, 9, 1, 5)]
    for firmatario, giorno in zip(istituzionali[:-1], giorni, strict=False):
        servizi.carica_copia(
            firmatario, file=SimpleUploadedFile("f.pdf", PDF), firmato_il=giorno, by=staff
        )
        assert Accordo.objects.get().stato == Accordo.Stato.IN_FIRMA  # the adherent is not due

    servizi.carica_copia(
        istituzionali[-1], file=SimpleUploadedFile("f.pdf", PDF), firmato_il=giorni[3],
        nome="Anna Verdi", qualifica="Direttrice generale", by=staff,
    )  # fmt: skip

    accordo.refresh_from_db()
    assert accordo.stato == Accordo.Stato.FIRMATO
    assert accordo.firmato_il == datetime.date(2025, 4, 9)  # the latest signature
    ultimo = Firmatario.objects.get(pk=istituzionali[-1].pk)
    assert (ultimo.nome, ultimo.qualifica) == ("Anna Verdi", "Direttrice generale")
    assert len(ultimo.copia_sha256) == 64
    assert ultimo.copia_firmata.read() == PDF
    assert AuditLog.objects.filter(action="accordo.firmato").count() == 1
    # the adherent may still bring its copy; the signed ones are final
    aderente = accordo.firmatari.get(tipo=Firmatario.Tipo.ADERENTE)
    servizi.carica_copia(
        aderente, file=SimpleUploadedFile("f.pdf", PDF), firmato_il=giorni[0], by=staff
    )
    with pytest.raises(OperazioneNonValida):
        servizi.carica_copia(
            istituzionali[0], file=SimpleUploadedFile("f.pdf", PDF), firmato_il=giorni[0],
            by=staff,
        )  # fmt: skip


def test_signature_date_cannot_be_in_the_future(accordo, staff):
    in_firma(accordo, staff)
    with pytest.raises(OperazioneNonValida):
        servizi.carica_copia(
            accordo.firmatari.first(), file=SimpleUploadedFile("f.pdf", PDF),
            firmato_il=timezone.localdate() + datetime.timedelta(days=1), by=staff,
        )  # fmt: skip


def test_act_and_publication(accordo, piano, staff):
    with pytest.raises(OperazioneNonValida):
        servizi.registra_atto(accordo, numero="12", data=datetime.date(2025, 5, 1), by=staff)
    in_firma(accordo, staff)
    with pytest.raises(OperazioneNonValida):
        servizi.registra_atto(accordo, numero="12", data=datetime.date(2025, 5, 1), by=staff)
    firma_tutti(accordo, staff, giorno=datetime.date(2025, 4, 10))
    with pytest.raises(OperazioneNonValida):
        servizi.registra_pubblicazione(
            accordo, riferimento="BURL", data=datetime.date(2025, 5, 1), by=staff
        )
    with pytest.raises(OperazioneNonValida, match="10/04/2025"):
        servizi.registra_atto(accordo, numero="12", data=datetime.date(2025, 4, 9), by=staff)

    accordo = servizi.registra_atto(
        accordo, numero="Decreto 12/2025", data=datetime.date(2025, 4, 10), by=staff
    )
    assert (accordo.stato, accordo.atto_numero) == (Accordo.Stato.APPROVATO, "Decreto 12/2025")
    with pytest.raises(OperazioneNonValida):
        servizi.registra_atto(accordo, numero="13", data=datetime.date(2025, 4, 11), by=staff)
    with pytest.raises(OperazioneNonValida):
        servizi.registra_pubblicazione(
            accordo, riferimento="BURL", data=datetime.date(2025, 4, 9), by=staff
        )
    assert Piano.objects.get().pubblicato_at is None

    accordo = servizi.registra_pubblicazione(
        accordo, riferimento="BURL Serie Ordinaria n. 18", data=datetime.date(2025, 5, 2),
        by=staff,
    )  # fmt: skip
    assert accordo.stato == Accordo.Stato.PUBBLICATO
    assert accordo.bur_data == datetime.date(2025, 5, 2)
    assert Piano.objects.get().pubblicato_at is not None
    with pytest.raises(OperazioneNonValida):
        servizi.registra_pubblicazione(
            accordo, riferimento="BURL", data=datetime.date(2025, 5, 3), by=staff
        )
    azioni = set(AuditLog.objects.values_list("action", flat=True))
    assert {"accordo.approvato", "accordo.pubblicato", "piano.pubblicato"} <= azioni


def test_publication_keeps_an_earlier_publication_of_the_plan(accordo, piano, staff):
    prima = timezone.now() - datetime.timedelta(days=30)
    Piano.objects.filter(pk=piano.pk).update(pubblicato_at=prima)
    in_firma(accordo, staff)
    firma_tutti(accordo, staff, giorno=datetime.date(2025, 4, 10))
    servizi.registra_atto(accordo, numero="12", data=datetime.date(2025, 4, 11), by=staff)
    servizi.registra_pubblicazione(
        accordo, riferimento="BURL", data=datetime.date(2025, 4, 20), by=staff
    )
    assert Piano.objects.get().pubblicato_at == prima


# --- the PDF and its hash -------------------------------------------------------------------


def test_rendering_twice_without_changes_does_not_rewrite_the_pdf(accordo):
    assert documenti.pdf_accordo(accordo) is True
    prima = Accordo.objects.get()
    assert prima.pdf.name and len(prima.sha256) == 64 and prima.pdf_pagine >= 4

    assert documenti.pdf_accordo(Accordo.objects.get()) is False

    dopo = Accordo.objects.get()
    assert (dopo.pdf.name, dopo.sha256, dopo.sorgente_sha256, dopo.generato_at) == (
        prima.pdf.name,
        prima.sha256,
        prima.sorgente_sha256,
        prima.generato_at,
    )


def test_a_changed_text_renders_again(accordo, staff):
    documenti.pdf_accordo(accordo)
    prima = Accordo.objects.get()
    servizi.modifica_testi(prima, governance="Un solo organo: l'Assemblea dei Sindaci.", by=staff)

    assert documenti.pdf_accordo(Accordo.objects.get()) is True

    dopo = Accordo.objects.get()
    assert dopo.sorgente_sha256 != prima.sorgente_sha256
    assert dopo.sha256 != prima.sha256
    assert dopo.generato_at > prima.generato_at


def test_a_new_population_figure_changes_the_source(accordo, ambito):
    _sorgente, prima = documenti.sorgente_accordo(accordo)
    PopolazioneFactory(
        comune=ambito.appartenenze.get(comune__nome="Viadana").comune,
        data_riferimento=datetime.date(2026, 1, 1),
        residenti=20200,
    )
    assert documenti.sorgente_accordo(accordo)[1] != prima


def test_request_when_up_to_date_queues_nothing(accordo, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert servizi.richiedi_pdf(accordo, by=staff) is True
    assert len(callbacks) == 1
    accordo.refresh_from_db()
    assert accordo.pdf and not accordo.in_generazione
    generato = accordo.generato_at

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert servizi.richiedi_pdf(accordo, by=staff) is False
    assert callbacks == []
    assert Accordo.objects.get().generato_at == generato


def test_a_request_served_by_the_existing_pdf_ends_the_wait(accordo):
    documenti.pdf_accordo(accordo)
    Accordo.objects.update(generazione_richiesta_at=timezone.now())
    assert Accordo.objects.get().in_generazione

    documenti.pdf_accordo(Accordo.objects.get())

    assert not Accordo.objects.get().in_generazione


def test_a_rendering_error_is_stored(accordo, settings, monkeypatch):
    def guasto(*args, **kwargs):
        raise ValueError("font missing")

    monkeypatch.setattr(documenti, "render_pdf_pages", guasto)
    Accordo.objects.update(generazione_richiesta_at=timezone.now())

    assert documenti.pdf_accordo(Accordo.objects.get()) is False

    accordo = Accordo.objects.get()
    assert accordo.errore == "ValueError: font missing"
    assert not accordo.in_generazione and not accordo.pdf


def test_the_pdf_of_an_accordo_in_signature_never_changes(accordo, staff, ambito):
    in_firma(accordo, staff)
    prima = Accordo.objects.get()
    with pytest.raises(OperazioneNonValida):
        servizi.richiedi_pdf(prima, by=staff)
    PopolazioneFactory(
        comune=ambito.appartenenze.get(comune__nome="Viadana").comune,
        data_riferimento=datetime.date(2026, 1, 1),
        residenti=20200,
    )
    assert documenti.pdf_accordo(prima) is False
    assert Accordo.objects.get().sha256 == prima.sha256
