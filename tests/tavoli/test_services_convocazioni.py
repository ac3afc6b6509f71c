"""Convening a meeting: one Convocazione per recipient, e-mailed once each by the (eager)
Celery tasks after commit; updates, cancellations, failed deliveries, PEC, RSVP."""

import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone
from icalendar import Calendar

from pdz import emails
from pdz.exceptions import OperazioneNonValida
from tavoli import services, tasks
from tavoli.models import Convocazione, Incontro
from tests.ambiti.factories import EnteFactory
from tests.tavoli.factories import IncontroFactory, MembroFactory, PuntoOdgFactory, TavoloFactory

Stato = Convocazione.Stato
HERE = __name__


class RifiutaBackend(LocmemBackend):
    """The test mail server: keeps messages in ``mail.outbox`` like locmem, but refuses the
    recipients listed in ``rifiutati`` as a real SMTP server would."""

    rifiutati = set()

    def send_messages(self, messages):
        for message in messages:
            for rcpt in message.recipients():
                if rcpt in self.rifiutati:
                    raise smtplib.SMTPRecipientsRefused(
                        {rcpt: (550, b"5.1.1 <%s>: Recipient address rejected: User unknown")}
                    )
        return super().send_messages(messages)


class PecBackend(BaseEmailBackend):
    """The certified-mail account: records what leaves through it, apart from mail.outbox."""

    inviati = []

    def send_messages(self, messages):
        self.inviati.extend(messages)
        return len(messages)


class PecGuasta(BaseEmailBackend):
    """A certified-mail account whose password expired."""

    def send_messages(self, messages):
        raise smtplib.SMTPAuthenticationError(535, b"5.7.8 Authentication failed")


@pytest.fixture(autouse=True)
def posta(settings):
    settings.EMAIL_BACKEND = f"{HERE}.RifiutaBackend"
    settings.PEC_EMAIL = None
    RifiutaBackend.rifiutati = set()
    PecBackend.inviati = []


@pytest.fixture
def pec(settings):
    settings.PEC_EMAIL = {"EMAIL_BACKEND": f"{HERE}.PecBackend"}
    settings.PEC_FROM_EMAIL = "Ufficio di Piano <ufficiodipiano@pec.example.it>"
    return PecBackend


@pytest.fixture
def tavolo(ambito):
    return TavoloFactory(ambito=ambito, nome="Tavolo anziani e disabilità", preavviso_ore=120)


@pytest.fixture
def membri(tavolo):
    """Three parties: one delegate only, one with a substitute, one with a PEC address."""
    return [
        MembroFactory(
            tavolo=tavolo,
            ente=EnteFactory(denominazione="ASST di Cremona"),
            delegato_nome="Anna Rossi",
            delegato_email="anna@example.org",
        ),
        MembroFactory(
            tavolo=tavolo,
            ente=EnteFactory(denominazione="Cooperativa Il Girasole"),
            delegato_nome="Bruno Verdi",
            delegato_email="bruno@example.org",
            supplente_nome="Carla Neri",
            supplente_email="carla@example.org",
        ),
        MembroFactory(
            tavolo=tavolo,
            ente=EnteFactory(denominazione="Comune di Sabbioneta", pec="comune@pec.example.it"),
            delegato_nome="Dario Bassi",
            delegato_email="dario@example.org",
        ),
    ]


@pytest.fixture
def incontro(tavolo, staff):
    incontro = IncontroFactory(tavolo=tavolo, titolo="Prima seduta", created_by=staff)
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Insediamento del tavolo")
    return incontro


@pytest.fixture
def convoca(django_capture_on_commit_callbacks):
    """``services.convoca`` with its on-commit dispatch run (the eager worker)."""

    def convoca(incontro, *, by, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return services.convoca(incontro, by=by, **kwargs)

    return convoca


@pytest.fixture
def dopo_commit(django_capture_on_commit_callbacks):
    def dopo_commit(funzione, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return funzione(*args, **kwargs)

    return dopo_commit


def destinatari(messaggi):
    return sorted(rcpt for m in messaggi for rcpt in m.to)


def ics(message):
    [(nome, contenuto, mimetype)] = message.attachments
    assert nome == "convocazione.ics"
    assert mimetype.startswith("text/calendar")
    return Calendar.from_ical(contenuto)


def evento(message):
    [event] = ics(message).walk("VEVENT")
    return event


def token_rsvp(testo):
    """The token of the personal RSVP link in a message's text or HTML."""
    [token] = set(re.findall(r"/tavoli/rsvp/([^/\s\"']+)/", testo))
    return token


def oggetto(nome, incontro, convocazione):
    """The subject the template ``nome`` gives this recipient."""
    contesto = tasks.contesto(incontro, list(incontro.punti.all()), convocazione)
    return emails.render(nome, contesto)[0]


def righe(incontro):
    return {
        (c.email, c.destinatario, c.canale, c.stato)
        for c in Convocazione.objects.filter(incontro=incontro)
    }


# --- convening ------------------------------------------------------------------------------


def test_convening_sends_each_delegate_substitute_and_party_pec_one_convocation(
    convoca, incontro, membri, staff, pec
):
    convoca(incontro, by=staff)

    assert righe(incontro) == {
        ("anna@example.org", "delegato", "email", Stato.INVIATA),
        ("bruno@example.org", "delegato", "email", Stato.INVIATA),
        ("carla@example.org", "supplente", "email", Stato.INVIATA),
        ("dario@example.org", "delegato", "email", Stato.INVIATA),
        ("comune@pec.example.it", "ente_pec", "pec", Stato.INVIATA),
    }
    assert destinatari(mail.outbox) == [
        "anna@example.org",
        "bruno@example.org",
        "carla@example.org",
        "dario@example.org",
    ]
    # The PEC copy leaves through the certified account, from its own address.
    [certificata] = pec.inviati
    assert certificata.to == ["comune@pec.example.it"]
    assert certificata.from_email == "Ufficio di Piano <ufficiodipiano@pec.example.it>"

    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.CONVOCATO
    assert incontro.convocato_at is not None
    for convocazione in Convocazione.objects.filter(incontro=incontro):
        assert convocazione.sequenza_inviata == 0
        assert convocazione.tentativi == 1
        assert convocazione.inviata_at is not None
        assert convocazione.message_id
    anna = Convocazione.objects.get(email="anna@example.org")
    [messaggio] = [m for m in mail.outbox if m.to == ["anna@example.org"]]
    assert messaggio.subject == oggetto("convocazione", incontro, anna)
    assert services.convocazione_da_token(token_rsvp(messaggio.body)) == anna
    assert services.convocazione_da_token(token_rsvp(messaggio.alternatives[0][0])) == anna
    assert ics(messaggio)["METHOD"] == "REQUEST"
    assert evento(messaggio)["SEQUENCE"] == 0


def test_the_pec_message_id_is_kept_as_proof(convoca, incontro, membri, staff, pec):
    convoca(incontro, by=staff)

    [certificata] = pec.inviati
    riga = Convocazione.objects.get(destinatario=Convocazione.Destinatario.ENTE_PEC)
    assert riga.message_id == certificata.message()["Message-ID"]
    assert riga.message_id.startswith("<") and riga.message_id.endswith(">")
    assert ics(certificata)["METHOD"] == "REQUEST"


def test_without_a_pec_account_nobody_gets_a_pec_row(convoca, incontro, membri, staff, settings):
    assert settings.PEC_EMAIL is None

    convoca(incontro, by=staff)

    assert not Convocazione.objects.filter(canale=Convocazione.Canale.PEC).exists()
    assert Convocazione.objects.filter(incontro=incontro).count() == 4
    assert len(mail.outbox) == 4


def test_convening_twice_sends_nothing_new(convoca, incontro, membri, staff):
    convoca(incontro, by=staff)
    mail.outbox.clear()

    convoca(incontro, by=staff)

    assert mail.outbox == []
    assert Convocazione.objects.filter(incontro=incontro).count() == 4
    assert set(Convocazione.objects.values_list("tentativi", flat=True)) == {1}


def test_a_member_who_joins_after_convening_is_convened_alone(
    convoca, incontro, membri, staff, tavolo
):
    convoca(incontro, by=staff)
    mail.outbox.clear()
    MembroFactory(tavolo=tavolo, delegato_nome="Elisa Galli", delegato_email="elisa@example.org")

    convoca(incontro, by=staff)

    assert destinatari(mail.outbox) == ["elisa@example.org"]
    assert Convocazione.objects.filter(incontro=incontro).count() == 5
    assert set(Convocazione.objects.values_list("stato", flat=True)) == {Stato.INVIATA}


def test_a_removed_member_is_not_convened(convoca, incontro, membri, staff):
    services.rimuovi_membro(membri[0], by=staff)

    convoca(incontro, by=staff)

    assert "anna@example.org" not in destinatari(mail.outbox)
    assert not Convocazione.objects.filter(membro=membri[0]).exists()


def test_convening_inside_the_notice_period_needs_the_urgent_confirmation(
    convoca, tavolo, membri, staff
):
    presto = IncontroFactory(
        tavolo=tavolo, inizio=timezone.now() + timedelta(hours=48), created_by=staff
    )

    with pytest.raises(OperazioneNonValida, match="120 hours"):
        convoca(presto, by=staff)

    presto.refresh_from_db()
    assert presto.stato == Incontro.Stato.PIANIFICATO
    assert not Convocazione.objects.exists()
    assert mail.outbox == []

    convoca(presto, by=staff, urgente=True)

    presto.refresh_from_db()
    assert presto.stato == Incontro.Stato.CONVOCATO
    assert presto.urgente is True
    assert len(mail.outbox) == 4


def test_a_meeting_that_has_started_cannot_be_convened(convoca, tavolo, membri, staff):
    passato = IncontroFactory(
        tavolo=tavolo, inizio=timezone.now() - timedelta(hours=1), created_by=staff
    )

    with pytest.raises(OperazioneNonValida, match="already started"):
        convoca(passato, by=staff, urgente=True)

    assert not Convocazione.objects.exists()
    assert mail.outbox == []


def test_a_body_without_members_cannot_convene(convoca, incontro, staff):
    with pytest.raises(OperazioneNonValida, match="no members"):
        convoca(incontro, by=staff)

    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.PIANIFICATO


def test_a_cancelled_meeting_cannot_be_convened(convoca, incontro, membri, staff):
    services.annulla(incontro, motivo="Rinviata", by=staff)

    with pytest.raises(OperazioneNonValida):
        convoca(incontro, by=staff)

    assert mail.outbox == []


# --- updates --------------------------------------------------------------------------------


def test_moving_a_convened_meeting_raises_its_sequence_and_tells_everyone(
    convoca, dopo_commit, incontro, membri, staff, pec
):
    convoca(incontro, by=staff)
    prima = {m.to[0]: evento(m) for m in [*mail.outbox, *pec.inviati]}
    mail.outbox.clear()
    pec.inviati.clear()

    modificato = Incontro.objects.get(pk=incontro.pk)
    modificato.luogo = "Sala Giunta, Municipio di Viadana"
    modificato.inizio += timedelta(days=1)
    modificato.fine += timedelta(days=1)
    dopo_commit(services.salva_incontro, modificato, by=staff)

    incontro.refresh_from_db()
    assert incontro.sequenza == 1
    assert destinatari(mail.outbox) == [
        "anna@example.org",
        "bruno@example.org",
        "carla@example.org",
        "dario@example.org",
    ]
    assert [m.to for m in pec.inviati] == [["comune@pec.example.it"]]
    for message in [*mail.outbox, *pec.inviati]:
        convocazione = Convocazione.objects.get(email=message.to[0])
        assert message.subject == oggetto("convocazione_modificata", incontro, convocazione)
        assert message.subject != oggetto("convocazione", incontro, convocazione)
        assert ics(message)["METHOD"] == "REQUEST"
        event = evento(message)
        assert event["SEQUENCE"] == 1
        assert event["UID"] == prima[message.to[0]]["UID"]
        assert str(event["LOCATION"]) == "Sala Giunta, Municipio di Viadana"
        assert event.decoded("DTSTART") == incontro.inizio
    assert set(Convocazione.objects.values_list("stato", "sequenza_inviata")) == {
        (Stato.INVIATA, 1)
    }


def test_changing_only_title_or_notes_of_a_convened_meeting_sends_nothing(
    convoca, dopo_commit, incontro, membri, staff
):
    convoca(incontro, by=staff)
    mail.outbox.clear()

    modificato = Incontro.objects.get(pk=incontro.pk)
    modificato.titolo = "Prima seduta del tavolo"
    modificato.note = "Portare il documento di analisi dei bisogni."
    dopo_commit(services.salva_incontro, modificato, by=staff)

    incontro.refresh_from_db()
    assert incontro.titolo == "Prima seduta del tavolo"
    assert incontro.sequenza == 0
    assert mail.outbox == []


def test_editing_a_planned_meeting_sends_nothing_and_keeps_sequence_zero(
    dopo_commit, incontro, membri, staff
):
    modificato = Incontro.objects.get(pk=incontro.pk)
    modificato.luogo = "Online"
    dopo_commit(services.salva_incontro, modificato, by=staff)

    incontro.refresh_from_db()
    assert incontro.sequenza == 0
    assert mail.outbox == []


def test_a_new_member_joining_after_an_update_gets_the_convocation_not_the_update(
    convoca, dopo_commit, incontro, membri, staff, tavolo
):
    convoca(incontro, by=staff)
    modificato = Incontro.objects.get(pk=incontro.pk)
    modificato.luogo = "Online"
    dopo_commit(services.salva_incontro, modificato, by=staff)
    mail.outbox.clear()
    MembroFactory(tavolo=tavolo, delegato_nome="Elisa Galli", delegato_email="elisa@example.org")

    convoca(incontro, by=staff)

    [message] = mail.outbox
    elisa = Convocazione.objects.get(email="elisa@example.org")
    incontro.refresh_from_db()
    assert message.subject == oggetto("convocazione", incontro, elisa)
    assert evento(message)["SEQUENCE"] == 1
    assert elisa.sequenza_inviata == 1


# --- cancellation ---------------------------------------------------------------------------


def test_cancelling_sends_a_cancel_only_to_whoever_had_received_something(
    convoca, dopo_commit, django_capture_on_commit_callbacks, incontro, membri, staff, tavolo
):
    convoca(incontro, by=staff)
    # Elisa joins and is convened, but her message never leaves (the task is lost).
    elisa = MembroFactory(
        tavolo=tavolo, delegato_nome="Elisa Galli", delegato_email="elisa@example.org"
    )
    with django_capture_on_commit_callbacks(execute=False):
        services.convoca(incontro, by=staff)
    mail.outbox.clear()

    dopo_commit(services.annulla, incontro, motivo="Assenza del numero legale", by=staff)

    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.ANNULLATO
    assert incontro.sequenza == 1
    assert destinatari(mail.outbox) == [
        "anna@example.org",
        "bruno@example.org",
        "carla@example.org",
        "dario@example.org",
    ]
    for message in mail.outbox:
        convocazione = Convocazione.objects.get(email=message.to[0])
        assert message.subject == oggetto("convocazione_annullata", incontro, convocazione)
        assert ics(message)["METHOD"] == "CANCEL"
        assert evento(message)["STATUS"] == "CANCELLED"
        assert evento(message)["SEQUENCE"] == 1
    riga_elisa = Convocazione.objects.get(membro=elisa)
    assert riga_elisa.stato == Stato.NON_DOVUTA
    assert riga_elisa.tentativi == 0


def test_cancelling_a_meeting_never_convened_sends_nothing(dopo_commit, incontro, membri, staff):
    dopo_commit(services.annulla, incontro, motivo="Non più necessaria", by=staff)

    incontro.refresh_from_db()
    assert incontro.stato == Incontro.Stato.ANNULLATO
    assert mail.outbox == []


def test_a_failed_delivery_is_not_followed_by_a_cancel(
    convoca, dopo_commit, incontro, membri, staff
):
    RifiutaBackend.rifiutati = {"carla@example.org"}
    convoca(incontro, by=staff)
    mail.outbox.clear()

    dopo_commit(services.annulla, incontro, motivo="Rinviata", by=staff)

    assert "carla@example.org" not in destinatari(mail.outbox)
    assert len(mail.outbox) == 3
    assert Convocazione.objects.get(email="carla@example.org").stato == Stato.NON_DOVUTA


# --- failed deliveries ----------------------------------------------------------------------


def test_a_refused_address_is_recorded_and_the_others_are_still_sent(
    convoca, incontro, membri, staff
):
    RifiutaBackend.rifiutati = {"bruno@example.org"}

    convoca(incontro, by=staff)

    assert destinatari(mail.outbox) == [
        "anna@example.org",
        "carla@example.org",
        "dario@example.org",
    ]
    bruno = Convocazione.objects.get(email="bruno@example.org")
    assert bruno.stato == Stato.FALLITA
    assert "User unknown" in bruno.errore
    assert bruno.tentativi == 1
    assert bruno.sequenza_inviata == -1
    assert bruno.inviata_at is None


def test_a_failed_update_keeps_the_record_of_what_was_received_before(
    convoca, dopo_commit, incontro, membri, staff
):
    convoca(incontro, by=staff)
    prima = Convocazione.objects.get(email="bruno@example.org")
    RifiutaBackend.rifiutati = {"bruno@example.org"}
    modificato = Incontro.objects.get(pk=incontro.pk)
    modificato.luogo = "Online"
    dopo_commit(services.salva_incontro, modificato, by=staff)

    bruno = Convocazione.objects.get(pk=prima.pk)
    assert bruno.stato == Stato.FALLITA
    assert (bruno.sequenza_inviata, bruno.message_id, bruno.inviata_at) == (
        0,
        prima.message_id,
        prima.inviata_at,
    )
    assert bruno.tentativi == 2

    # He knows of the meeting, so he hears of its cancellation.
    RifiutaBackend.rifiutati = set()
    mail.outbox.clear()
    dopo_commit(services.annulla, incontro, motivo="Rinviata", by=staff)
    assert "bruno@example.org" in destinatari(mail.outbox)
    assert Convocazione.objects.get(pk=prima.pk).stato == Stato.INVIATA


def test_running_the_task_again_retries_only_the_failed_and_counts_attempts(
    convoca, incontro, membri, staff
):
    RifiutaBackend.rifiutati = {"bruno@example.org"}
    convoca(incontro, by=staff)
    mail.outbox.clear()

    tasks.invia_convocazioni.delay(incontro.pk)

    assert mail.outbox == []
    bruno = Convocazione.objects.get(email="bruno@example.org")
    assert (bruno.stato, bruno.tentativi) == (Stato.FALLITA, 2)
    assert set(Convocazione.objects.exclude(pk=bruno.pk).values_list("stato", "tentativi")) == {
        (Stato.INVIATA, 1)
    }


def test_retrying_the_failed_deliveries_resends_only_them(
    convoca, dopo_commit, incontro, membri, staff
):
    RifiutaBackend.rifiutati = {"bruno@example.org", "dario@example.org"}
    convoca(incontro, by=staff)
    mail.outbox.clear()
    RifiutaBackend.rifiutati = set()  # the addresses were fixed / the server is back

    n = dopo_commit(services.ritenta_fallite, incontro, by=staff)

    assert n == 2
    assert destinatari(mail.outbox) == ["bruno@example.org", "dario@example.org"]
    for convocazione in Convocazione.objects.filter(incontro=incontro):
        assert convocazione.stato == Stato.INVIATA
        assert convocazione.errore == ""
        assert convocazione.sequenza_inviata == 0

    mail.outbox.clear()
    assert dopo_commit(services.ritenta_fallite, incontro, by=staff) == 0
    assert mail.outbox == []


def test_a_refused_pec_is_recorded_and_the_emails_still_leave(
    convoca, incontro, membri, staff, settings
):
    settings.PEC_EMAIL = {"EMAIL_BACKEND": f"{HERE}.PecGuasta"}

    convoca(incontro, by=staff)

    riga = Convocazione.objects.get(canale=Convocazione.Canale.PEC)
    assert riga.stato == Stato.FALLITA
    assert "Authentication failed" in riga.errore
    assert len(mail.outbox) == 4


# --- RSVP -----------------------------------------------------------------------------------


@pytest.fixture
def convocazione(convoca, incontro, membri, staff):
    convoca(incontro, by=staff)
    return Convocazione.objects.get(email="bruno@example.org")


def test_the_rsvp_link_leads_back_to_its_convocation(convocazione):
    token = services.rsvp_token(convocazione)

    assert services.convocazione_da_token(token) == convocazione
    assert services.convocazione_da_token(token + "x") is None
    assert services.convocazione_da_token("non-un-token") is None


def test_a_recipient_answers_and_may_change_the_answer(convocazione):
    services.rispondi(convocazione, risposta=Convocazione.Risposta.SI)
    convocazione.refresh_from_db()
    assert convocazione.risposta == Convocazione.Risposta.SI
    assert convocazione.risposta_at is not None

    services.rispondi(
        convocazione, risposta=Convocazione.Risposta.DELEGA, delegato="  Marta Rizzi "
    )
    convocazione.refresh_from_db()
    assert convocazione.risposta == Convocazione.Risposta.DELEGA
    assert convocazione.risposta_delegato == "Marta Rizzi"

    services.rispondi(convocazione, risposta=Convocazione.Risposta.NO, delegato="ignored")
    convocazione.refresh_from_db()
    assert (convocazione.risposta, convocazione.risposta_delegato) == ("no", "")


def test_sending_someone_else_needs_their_name(convocazione):
    with pytest.raises(OperazioneNonValida, match="in your place"):
        services.rispondi(convocazione, risposta=Convocazione.Risposta.DELEGA, delegato="  ")

    convocazione.refresh_from_db()
    assert convocazione.risposta == ""


def test_a_cancelled_meeting_takes_no_answers(convocazione, incontro, staff):
    services.annulla(incontro, motivo="Rinviata", by=staff)

    with pytest.raises(OperazioneNonValida, match="no longer open"):
        services.rispondi(convocazione, risposta=Convocazione.Risposta.SI)


def test_a_meeting_that_has_started_takes_no_answers(convocazione, incontro):
    Incontro.objects.filter(pk=incontro.pk).update(
        inizio=timezone.now() - timedelta(minutes=5), fine=timezone.now() + timedelta(hours=1)
    )

    with pytest.raises(OperazioneNonValida, match="no longer open"):
        services.rispondi(convocazione, risposta=Convocazione.Risposta.SI)

    convocazione.refresh_from_db()
    assert convocazione.risposta == ""
