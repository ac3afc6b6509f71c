"""The answer to a convocation from the personal link of the e-mail, without signing in."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tavoli import services
from tavoli.models import Convocazione, Incontro
from tests.tavoli.factories import IncontroFactory, MembroFactory, PuntoOdgFactory, TavoloFactory


@pytest.fixture
def convocazione(ambito, staff):
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani e non autosufficienza")
    membro = MembroFactory(
        tavolo=tavolo,
        ente__denominazione="Cooperativa sociale Il Girasole",
        delegato_nome="Elena Ruggeri",
        delegato_email="elena@example.org",
    )
    incontro = IncontroFactory(
        tavolo=tavolo,
        titolo="Seconda seduta: priorità 2025",
        stato=Incontro.Stato.CONVOCATO,
        created_by=staff,
    )
    PuntoOdgFactory(incontro=incontro, numero=1, titolo="Analisi dei bisogni")
    return Convocazione.objects.create(
        incontro=incontro,
        membro=membro,
        destinatario=Convocazione.Destinatario.DELEGATO,
        canale=Convocazione.Canale.EMAIL,
        nome=membro.delegato_nome,
        email=membro.delegato_email,
        stato=Convocazione.Stato.INVIATA,
    )


def url(convocazione):
    return reverse("tavoli:rsvp", args=[services.rsvp_token(convocazione)])


def test_the_link_opens_without_signing_in(client, convocazione):
    response = client.get(url(convocazione))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Seconda seduta: priorità 2025" in page
    assert "Elena Ruggeri" in page
    assert "Cooperativa sociale Il Girasole" in page
    assert "Analisi dei bisogni" in page
    assert 'name="risposta"' in page
    assert "noindex" in page


def test_answering_yes_is_confirmed_on_the_same_page(client, convocazione):
    response = client.post(url(convocazione), {"risposta": "si"}, follow=True)

    assert response.redirect_chain == [(url(convocazione), 302)]
    page = response.content.decode()
    assert "alert-success" in page
    assert 'data-risposta="si"' in page
    convocazione.refresh_from_db()
    assert convocazione.risposta == Convocazione.Risposta.SI
    assert convocazione.risposta_at is not None


def test_sending_someone_else_needs_their_name(client, convocazione):
    response = client.post(url(convocazione), {"risposta": "delega", "delegato": "  "})

    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page
    assert "checked" in page.split('value="delega"')[1].split(">")[0]  # the choice is kept
    assert "Say who will attend in your place." in page
    convocazione.refresh_from_db()
    assert convocazione.risposta == ""

    response = client.post(
        url(convocazione),
        {"risposta": "delega", "delegato": "Mario Bassi, vicepresidente"},
        follow=True,
    )
    assert "Mario Bassi, vicepresidente" in response.content.decode()
    convocazione.refresh_from_db()
    assert convocazione.risposta == Convocazione.Risposta.DELEGA
    assert convocazione.risposta_delegato == "Mario Bassi, vicepresidente"


def test_the_answer_can_change_and_the_form_shows_the_current_one(client, convocazione):
    client.post(url(convocazione), {"risposta": "si"})
    client.post(url(convocazione), {"risposta": "no"})

    page = client.get(url(convocazione)).content.decode()
    assert 'data-risposta="no"' in page
    assert "checked" in page.split('value="no"')[1].split(">")[0]
    convocazione.refresh_from_db()
    assert convocazione.risposta == Convocazione.Risposta.NO


def test_a_tampered_link_is_a_friendly_404(client, convocazione):
    token = services.rsvp_token(convocazione)
    response = client.get(reverse("tavoli:rsvp", args=[token[:-2] + "xx"]))

    assert response.status_code == 404
    assert "copied the whole address" in response.content.decode()
    response = client.post(reverse("tavoli:rsvp", args=["nonsense"]), {"risposta": "si"})
    assert response.status_code == 404
    convocazione.refresh_from_db()
    assert convocazione.risposta == ""


def test_a_cancelled_meeting_shows_no_form(client, convocazione, staff):
    services.annulla(
        convocazione.incontro, motivo="Concomitanza con il consiglio comunale", by=staff
    )

    response = client.get(url(convocazione))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="risposta"' not in page
    assert "Concomitanza con il consiglio comunale" in page

    client.post(url(convocazione), {"risposta": "si"})
    convocazione.refresh_from_db()
    assert convocazione.risposta == ""


def test_a_meeting_already_held_takes_no_more_answers(client, convocazione):
    Incontro.objects.filter(pk=convocazione.incontro_id).update(
        inizio=timezone.now() - timedelta(hours=1), fine=timezone.now() + timedelta(hours=1)
    )

    page = client.get(url(convocazione)).content.decode()
    assert 'name="risposta"' not in page
    client.post(url(convocazione), {"risposta": "no"})
    convocazione.refresh_from_db()
    assert convocazione.risposta == ""
