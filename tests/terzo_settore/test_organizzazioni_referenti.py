"""Joining an organisation, its referenti and managers, its page and its details."""

import pytest
from django.core import mail
from django.urls import reverse

from pdz.models import AuditLog
from terzo_settore.models import Domanda, Organizzazione, Referente
from tests.terzo_settore.factories import DomandaFactory, ReferenteFactory

ENTRA = reverse("terzo_settore:entra_organizzazione")


@pytest.fixture
def girasole(referente):
    return Organizzazione.objects.select_related("ente").get(
        ente__denominazione="Cooperativa sociale Il Girasole"
    )


@pytest.fixture
def elena_referente(referente, girasole):
    return Referente.objects.get(user=referente, organizzazione=girasole)


def _url(name, organizzazione, *args):
    return reverse(f"terzo_settore:{name}", args=[organizzazione.pk, *args])


def _ask(client, user, organizzazione, django_capture_on_commit_callbacks):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(ENTRA, {"codice_fiscale": organizzazione.ente.codice_fiscale})


# --- asking to join ---------------------------------------------------------------------


def test_join_page_finds_the_organisation_by_tax_code(client, alice, girasole):
    client.force_login(alice)
    response = client.get(ENTRA, {"codice_fiscale": girasole.ente.codice_fiscale})
    assert response.status_code == 200
    assert response.context["form"].organizzazione == girasole
    assert b"Cooperativa sociale Il Girasole" in response.content
    assert b'method="post"' in response.content
    # Only a GET: nothing asked yet.
    assert not Referente.objects.filter(user=alice).exists()


def test_join_page_with_an_unknown_tax_code_offers_to_register(client, alice, girasole):
    client.force_login(alice)
    response = client.get(ENTRA, {"codice_fiscale": "01234567897"})  # valid, unknown
    form = response.context["form"]
    assert form.errors.as_data()["codice_fiscale"][0].code == "sconosciuta"
    assert reverse("terzo_settore:registra_organizzazione").encode() in response.content

    response = client.get(ENTRA, {"codice_fiscale": "01234567890"})  # wrong check digit
    assert response.context["form"].errors.as_data()["codice_fiscale"][0].code == "controllo"


def test_asking_to_join_emails_the_managing_referenti(
    client, alice, referente, girasole, django_capture_on_commit_callbacks
):
    # a second manager and a plain referente: only managers are told
    other_manager = ReferenteFactory(organizzazione=girasole, gestore=True).user
    ReferenteFactory(organizzazione=girasole, gestore=False)

    response = _ask(client, alice, girasole, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response.url == reverse("terzo_settore:mie_organizzazioni")
    richiesta = Referente.objects.get(user=alice)
    assert (richiesta.organizzazione, richiesta.stato, richiesta.gestore) == (
        girasole,
        Referente.Stato.RICHIESTA,
        False,
    )
    [message] = mail.outbox
    assert sorted(message.to) == sorted([referente.email, other_manager.email])
    assert "Alice Bianchi" in message.subject
    assert alice.email in message.body
    assert _url("organizzazione", girasole) in message.body
    assert message.alternatives[0][1] == "text/html"

    # the request shows on her list, without access to the organisation's page yet
    page = client.get(reverse("terzo_settore:mie_organizzazioni"))
    assert [r.stato for r in page.context["page"]] == ["richiesta"]
    assert client.get(_url("organizzazione", girasole)).status_code == 404


def test_asking_twice_is_refused_with_a_message(
    client, alice, girasole, django_capture_on_commit_callbacks
):
    _ask(client, alice, girasole, django_capture_on_commit_callbacks)
    response = _ask(client, alice, girasole, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Referente.objects.filter(user=alice).count() == 1
    assert len(mail.outbox) == 1
    page = client.get(response.url)
    assert [m.level_tag for m in page.context["messages"]][-1] == "error"


def test_a_referente_cannot_ask_to_join_their_own_organisation(
    client, referente, girasole, django_capture_on_commit_callbacks
):
    _ask(client, referente, girasole, django_capture_on_commit_callbacks)
    assert Referente.objects.filter(user=referente).count() == 1
    assert not mail.outbox


def test_anonymous_join_page_asks_to_sign_in(client, girasole):
    response = client.get(ENTRA)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- deciding ---------------------------------------------------------------------------


@pytest.fixture
def richiesta(client, alice, girasole, django_capture_on_commit_callbacks):
    _ask(client, alice, girasole, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client.logout()
    return Referente.objects.get(user=alice)


def test_manager_sees_the_requests_and_approves_one(
    client, referente, alice, girasole, richiesta, django_capture_on_commit_callbacks
):
    client.force_login(referente)
    page = client.get(_url("organizzazione", girasole))
    assert page.context["richieste"] == [richiesta]
    decide = _url("richiesta_decidi", girasole, richiesta.pk)
    assert decide.encode() in page.content

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide, {"esito": "approva"})

    assert response.status_code == 302
    assert response.url == _url("organizzazione", girasole)
    richiesta.refresh_from_db()
    assert (richiesta.stato, richiesta.gestore) == (Referente.Stato.ATTIVO, False)
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert _url("organizzazione", girasole) in message.body
    assert AuditLog.objects.filter(action="referente.approvato", user=referente).exists()

    # Alice now acts for the Girasole: its page opens, its details she may not change.
    client.force_login(alice)
    page = client.get(_url("organizzazione", girasole))
    assert page.status_code == 200
    assert page.context["gestore"] is False
    assert page.context["richieste"] == []
    assert client.get(_url("organizzazione_modifica", girasole)).status_code == 403


def test_manager_refuses_a_request(
    client, referente, alice, girasole, richiesta, django_capture_on_commit_callbacks
):
    client.force_login(referente)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url("richiesta_decidi", girasole, richiesta.pk), {"esito": "rifiuta"})
    richiesta.refresh_from_db()
    assert richiesta.stato == Referente.Stato.RIFIUTATO
    [message] = mail.outbox
    assert message.to == [alice.email]
    assert _url("organizzazione", girasole) not in message.body
    client.force_login(alice)
    assert client.get(_url("organizzazione", girasole)).status_code == 404
    # refused, she may ask again
    assert not client.get(reverse("terzo_settore:mie_organizzazioni")).context["page"].object_list


def test_a_decided_request_cannot_be_decided_again(client, referente, girasole, richiesta):
    client.force_login(referente)
    client.post(_url("richiesta_decidi", girasole, richiesta.pk), {"esito": "rifiuta"})
    response = client.post(_url("richiesta_decidi", girasole, richiesta.pk), {"esito": "approva"})
    richiesta.refresh_from_db()
    assert richiesta.stato == Referente.Stato.RIFIUTATO
    page = client.get(response.url)
    assert [m.level_tag for m in page.context["messages"]] == ["success", "error"]


def test_bad_decision_is_a_bad_request_not_a_crash(client, referente, girasole, richiesta):
    client.force_login(referente)
    assert (
        client.post(_url("richiesta_decidi", girasole, richiesta.pk), {"esito": "x"}).status_code
        == 400
    )
    assert client.get(_url("richiesta_decidi", girasole, richiesta.pk)).status_code == 405
    richiesta.refresh_from_db()
    assert richiesta.stato == Referente.Stato.RICHIESTA


def test_a_request_of_another_organisation_cannot_be_decided_here(
    client, referente, girasole, alice
):
    other = ReferenteFactory(gestore=True)
    elsewhere = Referente.objects.create(
        organizzazione=other.organizzazione, user=alice, stato=Referente.Stato.RICHIESTA
    )
    client.force_login(referente)
    response = client.post(_url("richiesta_decidi", girasole, elsewhere.pk), {"esito": "approva"})
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.stato == Referente.Stato.RICHIESTA


# --- managers and removal ---------------------------------------------------------------


def test_the_last_manager_cannot_be_removed_nor_stop_managing(
    client, referente, girasole, elena_referente
):
    client.force_login(referente)
    page = client.get(_url("organizzazione", girasole))
    # no button that would fail is offered
    assert _url("referente_rimuovi", girasole, elena_referente.pk).encode() not in page.content
    assert _url("referente_gestore", girasole, elena_referente.pk).encode() not in page.content
    response = client.post(_url("referente_rimuovi", girasole, elena_referente.pk))
    assert response.status_code == 302
    elena_referente.refresh_from_db()
    assert elena_referente.stato == Referente.Stato.ATTIVO
    page = client.get(response.url)
    assert [m.level_tag for m in page.context["messages"]] == ["error"]

    client.post(_url("referente_gestore", girasole, elena_referente.pk), {"gestore": "0"})
    elena_referente.refresh_from_db()
    assert elena_referente.gestore is True


def test_manager_appoints_another_then_leaves(client, referente, girasole, elena_referente):
    marco = ReferenteFactory(organizzazione=girasole, gestore=False)
    client.force_login(referente)

    client.post(_url("referente_gestore", girasole, marco.pk), {"gestore": "1"})
    marco.refresh_from_db()
    assert marco.gestore is True

    confirm = client.get(_url("referente_rimuovi", girasole, elena_referente.pk))
    assert confirm.status_code == 200
    assert confirm.context["se_stesso"] is True
    response = client.post(_url("referente_rimuovi", girasole, elena_referente.pk))
    assert response.url == reverse("terzo_settore:mie_organizzazioni")
    elena_referente.refresh_from_db()
    assert elena_referente.stato == Referente.Stato.RIMOSSO  # kept, never deleted
    assert client.get(_url("organizzazione", girasole)).status_code == 404


def test_manager_removes_a_referente(client, referente, girasole):
    marco = ReferenteFactory(organizzazione=girasole, gestore=False)
    client.force_login(referente)
    response = client.post(_url("referente_rimuovi", girasole, marco.pk))
    assert response.url == _url("organizzazione", girasole)
    marco.refresh_from_db()
    assert marco.stato == Referente.Stato.RIMOSSO
    assert AuditLog.objects.filter(action="referente.rimosso", user=referente).exists()


def test_a_referente_may_leave_but_not_remove_others_nor_appoint(client, referente, girasole):
    marco = ReferenteFactory(organizzazione=girasole, gestore=False)
    elena = Referente.objects.get(user=referente)
    client.force_login(marco.user)

    assert client.get(_url("referente_rimuovi", girasole, elena.pk)).status_code == 403
    assert client.post(_url("referente_rimuovi", girasole, elena.pk)).status_code == 403
    response = client.post(_url("referente_gestore", girasole, marco.pk), {"gestore": "1"})
    assert response.status_code == 403
    marco.refresh_from_db()
    assert marco.gestore is False

    client.post(_url("referente_rimuovi", girasole, marco.pk))
    marco.refresh_from_db()
    assert marco.stato == Referente.Stato.RIMOSSO


def test_bad_manager_flag_is_a_bad_request(client, referente, girasole, elena_referente):
    client.force_login(referente)
    response = client.post(
        _url("referente_gestore", girasole, elena_referente.pk), {"gestore": "x"}
    )
    assert response.status_code == 400


# --- the organisation's page and its details ---------------------------------------------


def test_page_lists_applications_with_protocol_and_receipt(
    client, referente, girasole, settings, tmp_path
):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    settings.MEDIA_ROOT = tmp_path

    bozza = DomandaFactory(organizzazione=girasole, avviso__titolo="Avviso di adesione 2026")
    inviata = DomandaFactory(
        organizzazione=girasole,
        avviso__titolo="Manifestazione di interesse ai tavoli",
        stato=Domanda.Stato.INVIATA,
        protocollo_anno=2026,
        protocollo_numero=7,
        inviata_at=timezone.now(),
    )
    inviata.ricevuta.save("ricevuta.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    DomandaFactory(avviso__titolo="Domanda di un altro ente")
    client.force_login(referente)

    response = client.get(_url("organizzazione", girasole))

    assert [d.pk for d in response.context["domande"]] == [bozza.pk, inviata.pk]
    content = response.content.decode()
    assert "2026/000007" in content
    assert "Domanda di un altro ente" not in content
    assert (
        inviata.inviata_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y %H:%M")
        in content
    )
    try:
        domanda_url = reverse("terzo_settore:domanda", args=[inviata.pk])
        ricevuta_url = reverse("terzo_settore:ricevuta", args=[inviata.pk])
    except Exception:  # pages of another part of the app, not there yet
        return
    assert domanda_url in content
    assert ricevuta_url in content
    assert reverse("terzo_settore:ricevuta", args=[bozza.pk]) not in content


def test_manager_edits_the_details_but_not_the_tax_code(client, referente, girasole, ambito):
    from tests.terzo_settore.test_organizzazioni_registrazione import dati

    client.force_login(referente)
    page = client.get(_url("organizzazione_modifica", girasole))
    assert page.status_code == 200
    assert page.context["form"].fields["codice_fiscale"].disabled
    codice = girasole.ente.codice_fiscale

    data = dati(
        ambito,
        denominazione="Cooperativa sociale Il Girasole onlus",
        forma_giuridica="coop_a",
        iscrizione="registro_imprese",
        codice_fiscale="01234567890",
    )
    response = client.post(_url("organizzazione_modifica", girasole), data)

    assert response.status_code == 302
    girasole.refresh_from_db()
    girasole.ente.refresh_from_db()
    assert girasole.ente.denominazione == "Cooperativa sociale Il Girasole onlus"
    assert girasole.ente.codice_fiscale == codice
    assert girasole.iscrizione == "registro_imprese"
    assert girasole.ente.sede.codice_catastale == "L826"
    assert AuditLog.objects.filter(action="organizzazione.modificata", user=referente).exists()


def test_edit_with_a_mistake_keeps_what_was_typed(client, referente, girasole, ambito):
    from tests.terzo_settore.test_organizzazioni_registrazione import dati

    client.force_login(referente)
    data = dati(ambito, denominazione="Nuovo nome", email="sbagliata")
    response = client.post(_url("organizzazione_modifica", girasole), data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["email"]
    assert b'value="Nuovo nome"' in response.content
    girasole.ente.refresh_from_db()
    assert girasole.ente.denominazione == "Cooperativa sociale Il Girasole"


def test_my_organisations_lists_active_and_pending_with_requests_to_decide(
    client, referente, girasole, alice
):
    other = ReferenteFactory(gestore=True)
    Referente.objects.create(
        organizzazione=other.organizzazione, user=referente, stato=Referente.Stato.RICHIESTA
    )
    Referente.objects.create(organizzazione=girasole, user=alice, stato=Referente.Stato.RICHIESTA)
    removed = ReferenteFactory(user=referente, stato=Referente.Stato.RIMOSSO)
    client.force_login(referente)

    response = client.get(reverse("terzo_settore:mie_organizzazioni"))

    rows = list(response.context["page"])
    assert [(r.organizzazione, r.stato) for r in rows] == [
        (girasole, "attivo"),
        (other.organizzazione, "richiesta"),
    ]
    assert rows[0].richieste_in_attesa == 1
    assert removed.organizzazione.ente.denominazione.encode() not in response.content
    assert _url("organizzazione", girasole).encode() in response.content
    assert _url("organizzazione", other.organizzazione).encode() not in response.content


def test_my_organisations_when_there_are_none(client, alice):
    client.force_login(alice)
    response = client.get(reverse("terzo_settore:mie_organizzazioni"))
    assert response.status_code == 200
    assert reverse("terzo_settore:registra_organizzazione").encode() in response.content
    assert reverse("terzo_settore:entra_organizzazione").encode() in response.content


def test_a_person_may_register_a_second_organisation(client, referente, ambito):
    from tests.terzo_settore.test_organizzazioni_registrazione import dati

    client.force_login(referente)
    client.post(reverse("terzo_settore:registra_organizzazione"), dati(ambito))
    assert Referente.objects.filter(user=referente, gestore=True).count() == 2
