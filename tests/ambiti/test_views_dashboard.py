"""The dashboard of an ambito, editing the ambito, and the staff's "things to do"."""

import secrets
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ente, Invito, Ruolo
from pdz.models import AuditLog
from tests.ambiti.factories import EnteFactory, PopolazioneFactory


def _invito(ambito, by, **kwargs):
    fields = {
        "email": f"{secrets.token_hex(4)}@example.org",
        "full_name": "Persona Invitata",
        "tipo": Ruolo.Tipo.RAPPRESENTANTE_ENTE,
        "scade_at": timezone.now() + timedelta(days=14),
        **kwargs,
    }
    return Invito.objects.create(
        ambito=ambito, token=secrets.token_urlsafe(32), invitato_da=by, **fields
    )


def test_dashboard_shows_comuni_population_and_counts(client, staff, sindaco, ambito):
    for nome, residenti in [("Casalmaggiore", 15321), ("Viadana", 19654)]:
        PopolazioneFactory(
            comune=ambito.comuni.get(nome=nome),
            data_riferimento=date(2024, 1, 1),
            residenti=residenti,
        )
    _invito(ambito, staff)
    _invito(ambito, staff, scade_at=timezone.now() - timedelta(days=1))
    client.force_login(staff)

    response = client.get(reverse("ambiti:dashboard", args=[ambito.codice]))

    assert response.context["totale"] == 34975
    assert response.context["num_enti"] == 2
    assert response.context["num_ruoli"] == 2
    assert response.context["num_inviti"] == 1
    page = response.content.decode()
    assert "34.975" in page
    for name in ["comuni", "enti", "ruoli", "inviti", "invito_create"]:
        assert reverse(f"ambiti:{name}", args=[ambito.codice]) in page


def test_staff_edits_the_ambito(client, staff, ambito):
    client.force_login(staff)
    capofila = Ente.objects.get(denominazione="Comune di Casalmaggiore")
    response = client.post(
        reverse("ambiti:edit", args=[ambito.codice]),
        {
            "nome": "Ambito Oglio Po",
            "descrizione": "Casalasco e Viadanese.",
            "ente_capofila": capofila.pk,
            "indirizzo_ufficio": "Piazza Garibaldi 26",
            "email_ufficio": "udp@example.org",
            "pec_ufficio": "udp@pec.example.org",
            "telefono_ufficio": "0375 284411",
            "orari_ufficio": "lun-ven 9-12",
        },
    )
    assert response.status_code == 302
    ambito.refresh_from_db()
    assert ambito.ente_capofila == capofila
    assert ambito.email_ufficio == "udp@example.org"
    log = AuditLog.objects.get(action="ambito.modificato")
    assert "ente_capofila" in log.data["campi"]
    public = client.get(reverse("ambiti:detail", args=[ambito.codice])).content.decode()
    assert "udp@pec.example.org" in public


def test_lead_body_must_be_a_party_of_the_ambito(client, staff, ambito, altro_ambito):
    estraneo = EnteFactory(denominazione="Comune estraneo", ambiti=[altro_ambito])
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:edit", args=[ambito.codice]),
        {"nome": "Ambito Oglio Po", "ente_capofila": estraneo.pk, "email_ufficio": "x@example.org"},
    )
    assert response.status_code == 200
    assert "ente_capofila" in response.context["form"].errors
    assert 'value="x@example.org"' in response.content.decode()
    ambito.refresh_from_db()
    assert ambito.ente_capofila is None


def test_invalid_email_keeps_the_other_fields(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("ambiti:edit", args=[ambito.codice]),
        {"nome": "Nuovo nome", "email_ufficio": "non-una-mail"},
    )
    assert "email_ufficio" in response.context["form"].errors
    assert 'value="Nuovo nome"' in response.content.decode()


def test_mayor_cannot_edit_the_ambito(client, sindaco, ambito):
    client.force_login(sindaco)
    response = client.post(reverse("ambiti:edit", args=[ambito.codice]), {"nome": "Altro"})
    assert response.status_code == 403
    ambito.refresh_from_db()
    assert ambito.nome == "Ambito Oglio Po"


# --- home page: things to do --------------------------------------------------------------


def test_home_shows_staff_the_ambito_to_manage_and_waiting_invitations(client, staff, ambito):
    _invito(ambito, staff)
    _invito(ambito, staff)
    client.force_login(staff)
    page = client.get("/").content.decode()
    assert "Ambito Oglio Po" in page
    assert reverse("ambiti:dashboard", args=[ambito.codice]) in page
    assert reverse("ambiti:inviti", args=[ambito.codice]) + "?stato=aperto" in page


def test_home_shows_no_staff_block_to_a_mayor_or_to_alice(client, sindaco, alice, ambito):
    for person in (sindaco, alice):
        client.force_login(person)
        page = client.get("/").content.decode()
        assert reverse("ambiti:dashboard", args=[ambito.codice]) not in page


def test_todo_staff_provider(rf, staff, coordinatore, ambito, altro_ambito):
    from ambiti.todo import todo_staff

    request = rf.get("/")
    request.user = staff
    [block] = todo_staff(request)
    assert block.title == "Ambito Oglio Po"
    assert len(block.items) == 1

    _invito(ambito, staff)
    request.user = coordinatore
    [block] = todo_staff(request)
    assert len(block.items) == 2
    assert block.items[1].url.endswith("?stato=aperto")
