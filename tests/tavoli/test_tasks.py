"""The Celery tasks of the tavoli app, run eagerly: reminders (beat), recovery of lost
deliveries (beat), and the idempotence of the delivery tasks when run again."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pdz import emails
from tavoli import services, tasks
from tavoli.models import Convocazione, Incontro
from tests.ambiti.factories import EnteFactory
from tests.tavoli.factories import IncontroFactory, MembroFactory, TavoloFactory

Stato = Convocazione.Stato


@pytest.fixture(autouse=True)
def posta(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PEC_EMAIL = None


@pytest.fixture
def tavolo(ambito):
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo minori e famiglie", promemoria_ore=24)
    for n, nome in enumerate(["Anna", "Bruno", "Carla", "Dario"]):
        MembroFactory(
            tavolo=tavolo,
            ente=EnteFactory(denominazione=f"Ente {nome}"),
            delegato_nome=nome,
            delegato_email=f"{nome.lower()}@example.org",
            supplente_nome="Supplente" if n == 0 else "",
            supplente_email="supplente@example.org" if n == 0 else "",
        )
    return tavolo


@pytest.fixture
def incontro(tavolo, staff):
    return IncontroFactory(tavolo=tavolo, titolo="Seduta di ottobre", created_by=staff)


@pytest.fixture
def convocato(incontro, staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.convoca(incontro, by=staff)
    mail.outbox.clear()
    return incontro


def sposta(incontro, *, tra, convocato_da):
    """Move the clock: the meeting now starts in ``tra`` and was convened ``convocato_da`` ago."""
    adesso = timezone.now()
    Incontro.objects.filter(pk=incontro.pk).update(
        inizio=adesso + tra,
        fine=adesso + tra + timedelta(hours=2),
        convocato_at=adesso - convocato_da,
    )


def destinatari():
    return sorted(rcpt for m in mail.outbox for rcpt in m.to)


# --- reminders ------------------------------------------------------------------------------


def test_the_reminder_goes_to_everyone_convened_within_the_window_once(convocato):
    sposta(convocato, tra=timedelta(hours=20), convocato_da=timedelta(days=6))
    Convocazione.objects.filter(email="bruno@example.org").update(risposta=Convocazione.Risposta.NO)
    Convocazione.objects.filter(email="carla@example.org").update(risposta=Convocazione.Risposta.SI)

    tasks.invia_promemoria.delay()

    assert destinatari() == [
        "anna@example.org",
        "carla@example.org",
        "dario@example.org",
        "supplente@example.org",
    ]
    anna = Convocazione.objects.get(email="anna@example.org")
    [message] = [m for m in mail.outbox if m.to == ["anna@example.org"]]
    convocato.refresh_from_db()
    contesto = tasks.contesto(convocato, list(convocato.punti.all()), anna)
    assert message.subject == emails.render("promemoria_incontro", contesto)[0]
    assert anna.promemoria_at is not None
    assert Convocazione.objects.get(email="bruno@example.org").promemoria_at is None

    mail.outbox.clear()
    tasks.invia_promemoria.delay()  # the next beat
    assert mail.outbox == []


def test_no_reminder_before_the_window(convocato):
    sposta(convocato, tra=timedelta(hours=30), convocato_da=timedelta(days=6))

    tasks.invia_promemoria.delay()

    assert mail.outbox == []
    assert not Convocazione.objects.filter(promemoria_at__isnull=False).exists()


def test_no_reminder_for_a_meeting_convened_inside_the_window(convocato):
    # Convened (urgently) 2 hours ago for a meeting starting in 20 hours: the convocation
    # itself is the reminder.
    sposta(convocato, tra=timedelta(hours=20), convocato_da=timedelta(hours=2))

    tasks.invia_promemoria.delay()

    assert mail.outbox == []


def test_no_reminder_when_the_body_wants_none_or_the_meeting_is_cancelled(
    convocato, tavolo, staff, django_capture_on_commit_callbacks
):
    sposta(convocato, tra=timedelta(hours=20), convocato_da=timedelta(days=6))
    tavolo.promemoria_ore = 0
    tavolo.save()
    tasks.invia_promemoria.delay()
    assert mail.outbox == []

    tavolo.promemoria_ore = 24
    tavolo.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.annulla(convocato, motivo="Rinviata", by=staff)
    mail.outbox.clear()
    tasks.invia_promemoria.delay()
    assert mail.outbox == []


def test_no_reminder_to_whom_the_convocation_never_reached(convocato):
    sposta(convocato, tra=timedelta(hours=20), convocato_da=timedelta(days=6))
    Convocazione.objects.filter(email="dario@example.org").update(
        stato=Stato.FALLITA, sequenza_inviata=-1
    )

    tasks.invia_promemoria.delay()

    assert "dario@example.org" not in destinatari()
    assert len(mail.outbox) == 4


def test_a_reminder_block_run_twice_sends_once(convocato):
    sposta(convocato, tra=timedelta(hours=20), convocato_da=timedelta(days=6))
    ids = list(Convocazione.objects.values_list("pk", flat=True))

    tasks.invia_promemoria_blocco.delay(convocato.pk, ids)
    tasks.invia_promemoria_blocco.delay(convocato.pk, ids)

    assert len(mail.outbox) == 5


# --- recovery of lost deliveries --------------------------------------------------------------


@pytest.fixture
def perso(incontro, staff, django_capture_on_commit_callbacks):
    """Convened, but the dispatch never reached a worker (Redis flushed, worker killed…)."""
    with django_capture_on_commit_callbacks(execute=False):
        services.convoca(incontro, by=staff)
    assert mail.outbox == []
    return incontro


def test_recovery_redispatches_deliveries_queued_for_too_long(perso):
    Convocazione.objects.update(accodata_at=timezone.now() - timedelta(minutes=10))

    tasks.recupera_convocazioni.delay()

    assert destinatari() == [
        "anna@example.org",
        "bruno@example.org",
        "carla@example.org",
        "dario@example.org",
        "supplente@example.org",
    ]
    assert set(Convocazione.objects.values_list("stato", flat=True)) == {Stato.INVIATA}

    mail.outbox.clear()
    tasks.recupera_convocazioni.delay(piu_vecchie_di_secondi=0)
    assert mail.outbox == []


def test_recovery_dispatches_each_meeting_once_however_many_are_waiting(
    perso, tavolo, staff, monkeypatch, django_capture_on_commit_callbacks
):
    altro = IncontroFactory(tavolo=tavolo, titolo="Seduta di novembre", created_by=staff)
    with django_capture_on_commit_callbacks(execute=False):
        services.convoca(altro, by=staff)
    Convocazione.objects.update(accodata_at=timezone.now() - timedelta(minutes=10))
    assert Convocazione.objects.filter(stato=Stato.IN_CODA).count() == 10
    dispatched = []
    monkeypatch.setattr(tasks.invia_convocazioni, "delay", dispatched.append)

    tasks.recupera_convocazioni.delay()

    assert sorted(dispatched) == sorted([perso.pk, altro.pk])


def test_recovery_leaves_recently_queued_deliveries_to_their_task(perso):
    tasks.recupera_convocazioni.delay()

    assert mail.outbox == []
    assert set(Convocazione.objects.values_list("stato", flat=True)) == {Stato.IN_CODA}


def test_recovery_completes_a_delivery_interrupted_halfway(perso):
    prime = list(Convocazione.objects.order_by("pk").values_list("pk", flat=True)[:2])
    tasks.invia_blocco.delay(perso.pk, prime)  # the worker died after these two
    mail.outbox.clear()

    tasks.recupera_convocazioni.delay(piu_vecchie_di_secondi=0)

    assert len(mail.outbox) == 3
    assert not set(destinatari()) & set(
        Convocazione.objects.filter(pk__in=prime).values_list("email", flat=True)
    )
    assert set(Convocazione.objects.values_list("stato", flat=True)) == {Stato.INVIATA}


def test_recovery_does_not_resend_failed_deliveries(convocato):
    Convocazione.objects.filter(email="anna@example.org").update(
        stato=Stato.FALLITA, sequenza_inviata=-1, accodata_at=timezone.now() - timedelta(hours=1)
    )

    tasks.recupera_convocazioni.delay(piu_vecchie_di_secondi=0)

    assert mail.outbox == []


# --- idempotence of the delivery tasks --------------------------------------------------------


def test_the_dispatch_task_run_twice_sends_each_message_once(perso):
    tasks.invia_convocazioni.delay(perso.pk)
    tasks.invia_convocazioni.delay(perso.pk)

    assert len(mail.outbox) == 5
    assert len(set(destinatari())) == 5


def test_a_block_redelivered_after_it_ran_sends_nothing(convocato):
    ids = list(Convocazione.objects.values_list("pk", flat=True))

    tasks.invia_blocco.delay(convocato.pk, ids)

    assert mail.outbox == []
    assert set(Convocazione.objects.values_list("tentativi", flat=True)) == {1}


def test_a_block_of_an_old_version_sends_the_current_one_once(
    convocato, staff, django_capture_on_commit_callbacks
):
    """A block queued before an update runs after it: recipients get the update once."""
    ids = list(Convocazione.objects.values_list("pk", flat=True))
    modificato = Incontro.objects.get(pk=convocato.pk)
    modificato.luogo = "Sala Civica di Casalmaggiore"
    with django_capture_on_commit_callbacks(execute=True):
        services.salva_incontro(modificato, by=staff)
    assert len(mail.outbox) == 5

    tasks.invia_blocco.delay(convocato.pk, ids)  # the stale block, redelivered

    assert len(mail.outbox) == 5
    assert set(Convocazione.objects.values_list("sequenza_inviata", flat=True)) == {1}


def test_a_block_for_a_cancelled_meeting_marks_never_sent_rows_not_due(
    perso, staff, django_capture_on_commit_callbacks
):
    ids = list(Convocazione.objects.values_list("pk", flat=True))
    Incontro.objects.filter(pk=perso.pk).update(stato=Incontro.Stato.ANNULLATO, sequenza=1)

    tasks.invia_blocco.delay(perso.pk, ids)

    assert mail.outbox == []
    assert set(Convocazione.objects.values_list("stato", flat=True)) == {Stato.NON_DOVUTA}


def test_recipients_beyond_one_block_go_out_once_each(
    tavolo, staff, django_capture_on_commit_callbacks
):
    assert tasks.BLOCCO < 125
    enti = EnteFactory.create_batch(120)
    for n, ente in enumerate(enti):
        MembroFactory(tavolo=tavolo, ente=ente, delegato_email=f"membro{n}@example.org")
    incontro = IncontroFactory(tavolo=tavolo, created_by=staff)

    with django_capture_on_commit_callbacks(execute=True):
        services.convoca(incontro, by=staff)

    assert len(mail.outbox) == 125
    assert len(set(destinatari())) == 125


def test_an_online_vote_past_its_closing_time_is_counted_and_closed(staff, ambito):
    from tavoli.models import Votazione
    from tests.tavoli.factories import RegolaVotoFactory

    tavolo = TavoloFactory(ambito=ambito, regola_voto=RegolaVotoFactory(quorum_prima=0))
    favorevole, contrario, assente = (MembroFactory(tavolo=tavolo) for _ in range(3))
    scaduta = services.apri_votazione(
        tavolo,
        oggetto="Scaduta",
        modalita=Votazione.Modalita.ONLINE,
        by=staff,
        chiude_at=timezone.now() + timedelta(hours=1),
    )
    aperta = services.apri_votazione(
        tavolo,
        oggetto="Aperta",
        modalita=Votazione.Modalita.ONLINE,
        by=staff,
        chiude_at=timezone.now() + timedelta(days=1),
    )
    for membro, scelta in [(favorevole, "favorevole"), (contrario, "contrario")]:
        scaduta.voti.create(membro=membro, scelta=scelta, espresso_da=staff)
    Votazione.objects.filter(pk=scaduta.pk).update(chiude_at=timezone.now() - timedelta(minutes=1))

    tasks.chiudi_votazioni_scadute()

    scaduta.refresh_from_db()
    aperta.refresh_from_db()
    assert (scaduta.stato, scaduta.esito) == ("chiusa", "respinta")  # 1 to 1 of 2 present
    assert scaduta.risultato["presenti"]["teste"] == 2
    assert aperta.stato == "aperta"
