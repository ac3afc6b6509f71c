"""The minutes (verbale) of a meeting: written once it is held, sent as a draft, approved
at a later meeting of the same body once that one is held, then published."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from tavoli import services
from tavoli.models import Incontro, Presenza, PuntoOdg
from tests.tavoli.factories import IncontroFactory, MembroFactory, PuntoOdgFactory, TavoloFactory

S = Incontro.Stato


@pytest.fixture
def tavolo(ambito):
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani")
    MembroFactory(
        tavolo=tavolo,
        delegato_nome="Anna Rossi",
        delegato_email="anna@example.org",
        supplente_nome="Carla Neri",
        supplente_email="carla@example.org",
    )
    MembroFactory(tavolo=tavolo, delegato_nome="Bruno Verdi", delegato_email="bruno@example.org")
    return tavolo


def seduta(tavolo, staff, *, giorni, stato=S.PIANIFICATO):
    inizio = (timezone.now() + timedelta(days=giorni)).replace(microsecond=0)
    return IncontroFactory(
        tavolo=tavolo,
        inizio=inizio,
        fine=inizio + timedelta(hours=2),
        stato=stato,
        created_by=staff,
    )


@pytest.fixture
def passata(tavolo, staff):
    incontro = seduta(tavolo, staff, giorni=-7, stato=S.CONVOCATO)
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Analisi dei bisogni")
    PuntoOdgFactory(incontro=incontro, numero=2, titolo="Varie ed eventuali")
    return incontro


def tieni(incontro, staff):
    """Record the attendance: the meeting is held."""
    membri = incontro.tavolo.membri.all()
    righe = {m.pk: (Presenza.Stato.PRESENTE, "") for m in membri}
    return services.registra_presenze(incontro, righe, by=staff)


def scrivi(incontro, staff, testo="Presenti tutti i componenti."):
    punti = {p.pk: f"Discusso: {p.titolo}" for p in incontro.punti.all()}
    return services.salva_verbale(incontro, generale=testo, punti=punti, by=staff)


def test_minutes_are_written_only_once_the_meeting_is_held(tavolo, passata, staff):
    with pytest.raises(OperazioneNonValida, match="after the meeting is held"):
        scrivi(passata, staff)

    tieni(passata, staff)
    incontro = scrivi(passata, staff)

    assert incontro.stato == S.VERBALE_REDATTO
    assert incontro.verbale == "Presenti tutti i componenti."
    assert list(passata.punti.values_list("verbale", flat=True)) == [
        "Discusso: Analisi dei bisogni",
        "Discusso: Varie ed eventuali",
    ]
    # Still editable while a draft.
    incontro = services.salva_verbale(passata, generale="Corretto.", punti={}, by=staff)
    assert incontro.verbale == "Corretto."
    assert AuditLog.objects.filter(action="verbale.redatto").count() == 2


def test_attendance_cannot_be_taken_before_the_meeting_starts(tavolo, staff):
    futura = seduta(tavolo, staff, giorni=3, stato=S.CONVOCATO)

    with pytest.raises(OperazioneNonValida, match="started"):
        tieni(futura, staff)

    futura.refresh_from_db()
    assert futura.stato == S.CONVOCATO


def test_planned_or_cancelled_meetings_take_no_minutes(tavolo, staff):
    for stato in (S.PIANIFICATO, S.CONVOCATO, S.ANNULLATO):
        incontro = seduta(tavolo, staff, giorni=-1, stato=stato)
        with pytest.raises(OperazioneNonValida):
            scrivi(incontro, staff)


def test_the_draft_is_sent_to_every_delegate_and_substitute(
    tavolo, passata, staff, django_capture_on_commit_callbacks
):
    tieni(passata, staff)
    with pytest.raises(OperazioneNonValida, match="drafted"):
        services.invia_bozza_verbale(passata, by=staff)
    scrivi(passata, staff)

    with django_capture_on_commit_callbacks(execute=True):
        services.invia_bozza_verbale(passata, by=staff)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "anna@example.org",
        "bruno@example.org",
        "carla@example.org",
    ]
    assert f"/tavoli/incontri/{passata.pk}/verbale/" in mail.outbox[0].body
    passata.refresh_from_db()
    assert passata.verbale_inviato_at is not None


def test_approval_goes_on_the_agenda_of_a_later_meeting_of_the_same_body(
    tavolo, passata, staff, ambito
):
    tieni(passata, staff)
    scrivi(passata, staff)
    prossima = seduta(tavolo, staff, giorni=14)
    PuntoOdgFactory(incontro=prossima, numero=1, titolo="Comunicazioni")
    precedente = seduta(tavolo, staff, giorni=-30)
    di_altro_tavolo = seduta(TavoloFactory(ambito=ambito), staff, giorni=14)

    for sbagliata in (precedente, di_altro_tavolo):
        with pytest.raises(OperazioneNonValida, match="later meeting of the same body"):
            services.metti_approvazione_verbale(passata, sbagliata, by=staff)

    punto = services.metti_approvazione_verbale(passata, prossima, by=staff)

    assert punto.incontro == prossima
    assert punto.numero == 2
    assert punto.approva_verbale_di == passata
    assert date_format(timezone.localtime(passata.inizio), "j F Y") in punto.titolo
    # Twice is once.
    assert services.metti_approvazione_verbale(passata, prossima, by=staff) == punto
    assert PuntoOdg.objects.filter(approva_verbale_di=passata).count() == 1


def test_approval_needs_drafted_minutes_and_a_meeting_not_yet_held(tavolo, passata, staff):
    prossima = seduta(tavolo, staff, giorni=14)
    with pytest.raises(OperazioneNonValida, match="drafted"):
        services.metti_approvazione_verbale(passata, prossima, by=staff)

    tieni(passata, staff)
    scrivi(passata, staff)
    tenuta = seduta(tavolo, staff, giorni=-1, stato=S.SVOLTO)
    Incontro.objects.filter(pk=tenuta.pk).update(
        inizio=passata.inizio + timedelta(days=1), fine=passata.inizio + timedelta(days=1, hours=1)
    )
    tenuta.refresh_from_db()
    with pytest.raises(OperazioneNonValida, match="not been held"):
        services.metti_approvazione_verbale(passata, tenuta, by=staff)


def test_minutes_are_approved_only_once_the_later_meeting_is_held_then_published(
    tavolo, passata, staff
):
    tieni(passata, staff)
    scrivi(passata, staff)
    with pytest.raises(OperazioneNonValida, match="later meeting"):
        services.approva_verbale(passata, by=staff)

    prossima = seduta(tavolo, staff, giorni=14, stato=S.CONVOCATO)
    services.metti_approvazione_verbale(passata, prossima, by=staff)
    with pytest.raises(OperazioneNonValida, match="hold it first"):
        services.approva_verbale(passata, by=staff)
    with pytest.raises(OperazioneNonValida, match="approved"):
        services.pubblica_verbale(passata, by=staff)

    # The later meeting takes place.
    Incontro.objects.filter(pk=prossima.pk).update(
        inizio=timezone.now() - timedelta(hours=1), fine=timezone.now() + timedelta(hours=1)
    )
    tieni(prossima, staff)
    incontro = services.approva_verbale(passata, by=staff)

    assert incontro.stato == S.VERBALE_APPROVATO
    assert incontro.verbale_approvato_in == prossima
    assert incontro.verbale_approvato_at is not None
    with pytest.raises(OperazioneNonValida, match="written after the meeting is held"):
        scrivi(passata, staff, "Modifica tardiva")
    with pytest.raises(OperazioneNonValida):
        services.approva_verbale(passata, by=staff)

    incontro = services.pubblica_verbale(passata, by=staff)
    assert incontro.stato == S.PUBBLICATO
    assert incontro.pubblicato_at is not None
    with pytest.raises(OperazioneNonValida):
        services.pubblica_verbale(passata, by=staff)
    assert AuditLog.objects.filter(action="verbale.pubblicato").count() == 1


def test_a_cancelled_later_meeting_does_not_approve(tavolo, passata, staff):
    tieni(passata, staff)
    scrivi(passata, staff)
    prossima = seduta(tavolo, staff, giorni=14)
    services.metti_approvazione_verbale(passata, prossima, by=staff)
    services.annulla(prossima, motivo="Rinviata", by=staff)

    with pytest.raises(OperazioneNonValida, match="later meeting"):
        services.approva_verbale(passata, by=staff)
