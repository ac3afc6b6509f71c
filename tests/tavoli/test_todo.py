"""The home page's blocks of the tables app (tavoli.todo), registered by its AppConfig."""

# The fixtures imported from test_calendario are parameters of the tests below.
# ruff: noqa: F811

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tavoli import conteggio
from tavoli.models import Convocazione, Incontro, Membro, Tavolo, Votazione, Voto
from tavoli.services import rsvp_token
from tests.ambiti.test_views_queries import same_queries_with_10_and_1000_rows
from tests.pdz.factories import UserFactory
from tests.tavoli.factories import IncontroFactory, RegolaVotoFactory, TavoloFactory
from tests.tavoli.test_calendario import convocato, tavolo  # noqa: F401 (fixtures)


def urls(blocks):
    """The links of the tables app's items (other apps add their own blocks)."""
    return [item.url for block in blocks for item in block.items if item.url.startswith("/tavoli/")]


def todo(client, user):
    client.force_login(user)
    return urls(client.get(reverse("home")).context["todo_blocks"])


def rsvp_di(incontro, email):
    return reverse("tavoli:rsvp", args=[rsvp_token(incontro.convocazioni.get(email=email))])


def votazione_online(tavolo, **kwargs):
    return Votazione.objects.create(
        tavolo=tavolo,
        oggetto=kwargs.pop("oggetto", "Approvazione del Piano di Zona 2025-2027"),
        modalita=kwargs.pop("modalita", Votazione.Modalita.ONLINE),
        regola=conteggio.snapshot(RegolaVotoFactory()),
        aperta_da=kwargs.pop("aperta_da"),
        **kwargs,
    )


# --- members ------------------------------------------------------------------------------


def test_a_member_is_asked_to_answer_a_convocation(client, alice, tavolo):
    prossimo = convocato(tavolo)
    convocato(tavolo, giorni=-3)  # already held: too late to answer
    IncontroFactory(tavolo=tavolo)  # planned, not convened
    annullato = convocato(tavolo, giorni=4)
    annullato.stato = Incontro.Stato.ANNULLATO
    annullato.save()

    assert todo(client, alice) == [rsvp_di(prossimo, alice.email)]

    response = client.get(reverse("home"))
    html = response.content.decode()
    assert tavolo.nome in html
    assert reverse("tavoli:miei_incontri") in html


def test_the_convocation_leaves_the_list_once_answered(client, alice, tavolo):
    prossimo = convocato(tavolo)
    Convocazione.objects.filter(incontro=prossimo, email=alice.email).update(
        risposta=Convocazione.Risposta.SI, risposta_at=timezone.now()
    )
    assert todo(client, alice) == []


def test_a_member_is_asked_to_vote_until_they_have_voted(client, alice, staff, tavolo):
    votazione = votazione_online(tavolo, aperta_da=staff)
    votazione_online(tavolo, aperta_da=staff, modalita=Votazione.Modalita.PALESE)
    votazione_online(tavolo, aperta_da=staff, stato=Votazione.Stato.CHIUSA)
    votazione_online(tavolo, aperta_da=staff, chiude_at=timezone.now() - timedelta(minutes=1))
    votazione_online(TavoloFactory(ambito=tavolo.ambito), aperta_da=staff)  # not her body
    url = reverse("tavoli:votazione", args=[votazione.pk])

    assert todo(client, alice) == [url]

    # Filippo voted for Casalmaggiore: Alice still has to vote for Viadana
    filippo = Membro.objects.get(delegato_email="filippo@example.org")
    Voto.objects.create(votazione=votazione, membro=filippo, scelta="favorevole", espresso_da=staff)
    assert todo(client, alice) == [url]

    mio = Membro.objects.get(delegato_email=alice.email)
    Voto.objects.create(votazione=votazione, membro=mio, scelta="contrario", espresso_da=alice)
    assert todo(client, alice) == []


def test_a_member_without_a_voting_right_is_not_asked_to_vote(client, alice, staff, tavolo):
    Membro.objects.filter(delegato_email=alice.email).update(diritto_voto=False)
    votazione_online(tavolo, aperta_da=staff)
    assert todo(client, alice) == []


def test_the_substitute_is_asked_too(client, alice, staff, ambito):
    tavolo = TavoloFactory(ambito=ambito)
    Membro.objects.create(
        tavolo=tavolo,
        ente=ambito.enti.get(comune__nome="Viadana"),
        delegato_nome="Sindaco di Viadana",
        delegato_email="sindaco@viadana.example.org",
        supplente_nome="Alice Bianchi",
        supplente_email="Alice@Example.org",
    )
    votazione = votazione_online(tavolo, aperta_da=staff)
    assert todo(client, alice) == [reverse("tavoli:votazione", args=[votazione.pk])]


def test_someone_who_sits_nowhere_has_nothing_of_the_tables(client, alice, db):
    assert todo(client, alice) == []


# --- staff ----------------------------------------------------------------------------------


def test_staff_are_asked_to_write_and_approve_minutes(client, staff, staff_altro, tavolo):
    svolto = convocato(tavolo, giorni=-7, stato=Incontro.Stato.SVOLTO)
    redatto = convocato(tavolo, giorni=-40, stato=Incontro.Stato.VERBALE_REDATTO)
    convocato(tavolo, giorni=-80, stato=Incontro.Stato.PUBBLICATO)
    convocato(tavolo)

    assert todo(client, staff) == [
        reverse("tavoli:verbale_modifica", args=[svolto.pk]),
        reverse("tavoli:verbale", args=[redatto.pk]),
    ]
    assert todo(client, staff_altro) == []


def test_staff_are_asked_to_record_the_attendance_of_a_meeting_that_is_over(client, staff, tavolo):
    finito = convocato(tavolo, giorni=-2)
    convocato(tavolo, giorni=3)

    assert todo(client, staff) == [reverse("tavoli:presenze", args=[finito.pk])]


def test_a_body_shared_with_another_ambito_is_in_the_list_of_both(
    client,
    staff,
    staff_altro,
    altro_ambito,
    tavolo,
):
    tavolo.ambiti_coinvolti.add(altro_ambito)
    svolto = convocato(tavolo, giorni=-7, stato=Incontro.Stato.SVOLTO)
    url = reverse("tavoli:verbale_modifica", args=[svolto.pk])
    assert todo(client, staff) == [url]
    assert todo(client, staff_altro) == [url]


# --- everybody ------------------------------------------------------------------------------


def test_everybody_sees_the_next_meetings_of_the_public_bodies(client, tavolo):
    prossimi = [convocato(tavolo, giorni=g) for g in (9, 2, 5, 30, 12, 40)]
    convocato(TavoloFactory(ambito=tavolo.ambito, pubblico=False), giorni=1)
    convocato(tavolo, giorni=-1)
    IncontroFactory(tavolo=tavolo)  # planned, not announced
    response = client.get(reverse("home"))
    ordinati = sorted(prossimi, key=lambda i: i.inizio)[:5]
    assert urls(response.context["public_blocks"]) == [
        reverse("tavoli:incontro", args=[i.pk]) for i in ordinati
    ]
    assert tavolo.nome in response.content.decode()


# --- queries --------------------------------------------------------------------------------


def test_home_of_a_member_queries_do_not_grow(client, alice, staff, tavolo):
    membro = Membro.objects.get(delegato_email=alice.email)
    client.force_login(alice)

    def add(start, stop):
        adesso = timezone.now()
        incontri = Incontro.objects.bulk_create(
            Incontro(
                tavolo=tavolo,
                titolo=f"Seduta {n}",
                inizio=adesso + timedelta(days=n + 1),
                fine=adesso + timedelta(days=n + 1, hours=2),
                stato=Incontro.Stato.CONVOCATO,
                convocato_at=adesso,
                created_by=staff,
            )
            for n in range(start, stop)
        )
        Convocazione.objects.bulk_create(
            Convocazione(
                incontro=i,
                membro=membro,
                destinatario=Convocazione.Destinatario.DELEGATO,
                canale=Convocazione.Canale.EMAIL,
                nome=membro.delegato_nome,
                email=membro.delegato_email,
            )
            for i in incontri
        )
        regola = conteggio.snapshot(RegolaVotoFactory())
        Votazione.objects.bulk_create(
            Votazione(
                tavolo=tavolo,
                oggetto=f"Mozione {n}",
                modalita=Votazione.Modalita.ONLINE,
                regola=regola,
                aperta_da=staff,
            )
            for n in range(start, stop)
        )

    same_queries_with_10_and_1000_rows(client, reverse("home"), add)


def test_home_of_staff_queries_do_not_grow(client, staff, ambito):
    client.force_login(staff)

    def add(start, stop):
        tavoli = Tavolo.objects.bulk_create(
            Tavolo(ambito=ambito, tipo=Tavolo.Tipo.AREA, nome=f"Tavolo {n}")
            for n in range(start, stop)
        )
        adesso = timezone.now()
        Incontro.objects.bulk_create(
            Incontro(
                tavolo=t,
                titolo=f"Seduta {n}",
                inizio=adesso - timedelta(days=n + 1),
                fine=adesso - timedelta(days=n + 1) + timedelta(hours=2),
                stato=Incontro.Stato.SVOLTO if n % 2 else Incontro.Stato.VERBALE_REDATTO,
                created_by=staff,
            )
            for n, t in zip(range(start, stop), tavoli, strict=True)
        )

    same_queries_with_10_and_1000_rows(client, reverse("home"), add)


@pytest.mark.parametrize("persona", ["anonymous", "alice"])
def test_home_with_public_meetings_queries_do_not_grow(client, request, ambito, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    tavolo = TavoloFactory(ambito=ambito, pubblico=True)
    autore = UserFactory()

    def add(start, stop):
        adesso = timezone.now()
        Incontro.objects.bulk_create(
            Incontro(
                tavolo=tavolo,
                titolo=f"Seduta {n}",
                inizio=adesso + timedelta(days=n + 1),
                fine=adesso + timedelta(days=n + 1, hours=2),
                stato=Incontro.Stato.CONVOCATO,
                created_by=autore,
            )
            for n in range(start, stop)
        )

    same_queries_with_10_and_1000_rows(client, reverse("home"), add)
