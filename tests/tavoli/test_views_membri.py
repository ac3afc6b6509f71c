"""The members of a body: the list (e-mails only for those who see the internal pages),
adding, editing and removing members, seating the organisations of a manifestazione
d'interesse and the comuni with their mayors."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from ambiti.models import Ente
from pdz.models import AuditLog
from tavoli.models import Membro, Tavolo
from terzo_settore.models import Avviso, Domanda, TavoloOfferto
from tests.ambiti.factories import EnteFactory
from tests.tavoli.factories import MembroFactory, TavoloFactory
from tests.tavoli.test_views_tavoli import (
    as_persona,
    tavolo_interno,
    tavolo_pubblico,
)
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory, OrganizzazioneFactory


@pytest.fixture
def tavolo(ambito, staff):
    return tavolo_pubblico(ambito, staff)


@pytest.fixture
def interno(ambito):
    return tavolo_interno(ambito)


def messaggi(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def dati_membro(ente, **overrides):
    return {
        "ente": ente.pk,
        "delegato_nome": "Giulia Conti",
        "delegato_email": "giulia.conti@example.org",
        "supplente_nome": "",
        "supplente_email": "",
        "ruolo": Membro.Ruolo.COMPONENTE,
        "diritto_voto": "on",
        **overrides,
    }


# --- the list -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "vede_email"),
    [
        ("anonymous", False),
        ("alice", False),
        ("staff_altro", False),
        ("sindaco", True),
        ("staff", True),
        ("admin_regionale", True),
    ],
)
def test_the_emails_of_members_are_for_the_internal_pages_only(
    client, request, tavolo, persona, vede_email
):
    client = as_persona(client, request, persona)
    url = reverse("tavoli:membri", args=[tavolo.pk])
    page = client.get(url).content.decode()
    assert "Anna Rossi" in page and "ASST di Cremona" in page
    assert ("anna.rossi@example.org" in page) is vede_email
    csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    assert "Anna Rossi" in csv
    assert ("anna.rossi@example.org" in csv) is vede_email


def test_a_member_sees_the_emails_of_the_others(client, tavolo, alice):
    MembroFactory(tavolo=tavolo, delegato_email="alice@example.org")
    client.force_login(alice)
    page = client.get(reverse("tavoli:membri", args=[tavolo.pk])).content.decode()
    assert "anna.rossi@example.org" in page


@pytest.mark.parametrize(
    ("persona", "bottoni"),
    [("anonymous", False), ("sindaco", False), ("staff_altro", False), ("staff", True)],
)
def test_only_staff_get_the_buttons_to_change_members(client, request, tavolo, persona, bottoni):
    client = as_persona(client, request, persona)
    page = client.get(reverse("tavoli:membri", args=[tavolo.pk])).content.decode()
    membro = tavolo.membri.first()
    for url in [
        reverse("tavoli:membro_nuovo", args=[tavolo.pk]),
        reverse("tavoli:membro_modifica", args=[membro.pk]),
        reverse("tavoli:membro_rimuovi", args=[membro.pk]),
    ]:
        assert (url in page) is bottoni


def test_the_list_is_searched_filtered_and_shows_removed_members_on_request(client, tavolo, staff):
    uditore = MembroFactory(
        tavolo=tavolo,
        ente=EnteFactory(denominazione="Caritas diocesana"),
        ruolo=Membro.Ruolo.UDITORE,
        diritto_voto=False,
        delegato_nome="Don Carlo",
    )
    rimosso = MembroFactory(tavolo=tavolo, ente=EnteFactory(denominazione="Ex membro"))
    client.force_login(staff)
    client.post(reverse("tavoli:membro_rimuovi", args=[rimosso.pk]))
    url = reverse("tavoli:membri", args=[tavolo.pk])

    def enti(**params):
        response = client.get(url, params)
        return [m.ente.denominazione for m in response.context["page"]]

    assert enti() == ["ASST di Cremona", "Caritas diocesana", "Cooperativa Il Girasole"]
    assert enti(q="carlo") == ["Caritas diocesana"]
    assert enti(q="bruno.verdi@") == ["Cooperativa Il Girasole"]
    assert enti(ruolo=Membro.Ruolo.UDITORE) == ["Caritas diocesana"]
    assert enti(voto="0") == ["Caritas diocesana"]
    assert enti(voto="1") == ["ASST di Cremona", "Cooperativa Il Girasole"]
    assert "Ex membro" in enti(rimossi="on")
    assert uditore.pk


def test_the_public_cannot_search_by_email(client, tavolo):
    response = client.get(reverse("tavoli:membri", args=[tavolo.pk]), {"q": "anna.rossi@"})
    assert list(response.context["page"]) == []


# --- adding, editing, removing --------------------------------------------------------------


def test_the_parties_offered_are_those_of_the_ambiti_not_yet_seated(
    client, tavolo, staff, ambito, altro_ambito
):
    girasole = tavolo.membri.get(ente__denominazione="Cooperativa Il Girasole").ente
    girasole.ambiti.add(ambito)
    scuola = EnteFactory(denominazione="Istituto comprensivo", ambiti=[ambito])
    altrui = EnteFactory(denominazione="Ente di altri", ambiti=[altro_ambito])
    client.force_login(staff)
    form = client.get(reverse("tavoli:membro_nuovo", args=[tavolo.pk])).context["form"]
    offerti = set(form.fields["ente"].queryset)
    assert scuola in offerti
    assert set(ambito.enti.filter(tipo=Ente.Tipo.COMUNE)) <= offerti
    assert girasole not in offerti and altrui not in offerti

    # A body spanning the other ambito offers its parties too.
    tavolo.ambiti_coinvolti.add(altro_ambito)
    form = client.get(reverse("tavoli:membro_nuovo", args=[tavolo.pk])).context["form"]
    assert altrui in form.fields["ente"].queryset


def test_staff_seat_a_party_with_its_delegate_and_substitute(client, tavolo, staff, ambito):
    scuola = EnteFactory(denominazione="Istituto comprensivo", ambiti=[ambito])
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:membro_nuovo", args=[tavolo.pk]),
        dati_membro(
            scuola,
            supplente_nome="Marco Bassi",
            supplente_email="marco.bassi@example.org",
            ruolo=Membro.Ruolo.SEGRETARIO,
            diritto_voto="",
        ),
    )
    assert response.status_code == 302
    assert response.url == reverse("tavoli:membri", args=[tavolo.pk])
    membro = tavolo.membri.get(ente=scuola)
    assert (membro.delegato_nome, membro.supplente_email) == (
        "Giulia Conti",
        "marco.bassi@example.org",
    )
    assert membro.ruolo == Membro.Ruolo.SEGRETARIO and not membro.diritto_voto
    assert AuditLog.objects.filter(action="membro.aggiunto", user=staff).exists()
    assert messaggi(response) == [
        "Istituto comprensivo now sits at the body, represented by Giulia Conti."
    ]


def test_the_member_form_shows_errors_and_keeps_what_was_typed(client, tavolo, staff, ambito):
    scuola = EnteFactory(denominazione="Istituto comprensivo", ambiti=[ambito])
    altrui = EnteFactory(denominazione="Ente di altri")
    client.force_login(staff)
    url = reverse("tavoli:membro_nuovo", args=[tavolo.pk])
    response = client.post(
        url,
        dati_membro(
            scuola,
            delegato_nome="Giulia Conti",
            delegato_email="non-una-email",
            supplente_email="marco.bassi@example.org",
        ),
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"delegato_email", "supplente_nome"}
    page = response.content.decode()
    assert 'value="Giulia Conti"' in page and 'value="marco.bassi@example.org"' in page

    response = client.post(url, dati_membro(altrui))
    assert set(response.context["form"].errors) == {"ente"}
    assert not tavolo.membri.filter(ente__in=[scuola, altrui]).exists()


@pytest.mark.parametrize(
    ("persona", "atteso"),
    [("anonymous", 302), ("alice", 403), ("sindaco", 403), ("staff_altro", 403)],
)
def test_who_may_not_change_members_changes_nothing(
    client, request, tavolo, ambito, persona, atteso
):
    membro = tavolo.membri.first()
    scuola = EnteFactory(denominazione="Istituto comprensivo", ambiti=[ambito])
    client = as_persona(client, request, persona)
    risposte = [
        client.post(reverse("tavoli:membro_nuovo", args=[tavolo.pk]), dati_membro(scuola)),
        client.post(
            reverse("tavoli:membro_modifica", args=[membro.pk]),
            {**dati_membro(scuola), "delegato_nome": "Altro"},
        ),
        client.post(reverse("tavoli:membro_rimuovi", args=[membro.pk])),
        client.post(reverse("tavoli:membri_importa", args=[tavolo.pk])),
        client.post(reverse("tavoli:membri_comuni", args=[tavolo.pk])),
    ]
    assert [r.status_code for r in risposte] == [atteso] * 5
    membro.refresh_from_db()
    assert membro.delegato_nome == "Anna Rossi" and membro.rimosso_at is None
    assert tavolo.membri.count() == 2


def test_the_members_of_an_internal_body_are_hidden_from_other_ambiti(client, interno, staff_altro):
    membro = MembroFactory(tavolo=interno)
    client.force_login(staff_altro)
    assert client.get(reverse("tavoli:membri", args=[interno.pk])).status_code == 404
    assert client.get(reverse("tavoli:membro_modifica", args=[membro.pk])).status_code == 404
    assert client.post(reverse("tavoli:membro_rimuovi", args=[membro.pk])).status_code == 404


def test_staff_edit_a_member(client, tavolo, staff):
    membro = tavolo.membri.get(delegato_nome="Anna Rossi")
    client.force_login(staff)
    url = reverse("tavoli:membro_modifica", args=[membro.pk])
    form = client.get(url).context["form"]
    assert "ente" not in form.fields
    response = client.post(
        url,
        {
            "delegato_nome": "Anna Rossi Bianchi",
            "delegato_email": "anna.rossi@example.org",
            "supplente_nome": "Luca Galli",
            "supplente_email": "luca.galli@example.org",
            "ruolo": Membro.Ruolo.COMPONENTE,
            "diritto_voto": "on",
        },
    )
    assert response.status_code == 302
    membro.refresh_from_db()
    assert membro.delegato_nome == "Anna Rossi Bianchi"
    assert membro.supplente_email == "luca.galli@example.org"
    assert membro.ruolo == Membro.Ruolo.COMPONENTE
    assert AuditLog.objects.filter(action="membro.modificato", user=staff).exists()


def test_removing_a_member_asks_first_and_keeps_the_row(client, tavolo, staff):
    membro = tavolo.membri.get(delegato_nome="Anna Rossi")
    client.force_login(staff)
    url = reverse("tavoli:membro_rimuovi", args=[membro.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    membro.refresh_from_db()
    assert membro.rimosso_at is None

    response = client.post(url)
    assert response.status_code == 302
    membro.refresh_from_db()
    assert membro.rimosso_at is not None
    assert list(tavolo.membri.attivi().values_list("delegato_nome", flat=True)) == ["Bruno Verdi"]
    # Removed: nothing more to change, and saying so twice is harmless.
    assert client.get(reverse("tavoli:membro_modifica", args=[membro.pk])).status_code == 302
    assert client.post(url).status_code == 302


# --- seating many at once -------------------------------------------------------------------


@pytest.fixture
def manifestazione(ambito):
    avviso = AvvisoFactory(
        ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE, titolo="Manifestazione tavoli 2026"
    )
    anziani = TavoloOfferto.objects.create(avviso=avviso, nome="Tavolo anziani", ordine=1)
    return avviso, anziani


def domanda(avviso, nome, stato, tavoli, **kwargs):
    organizzazione = OrganizzazioneFactory(
        ente__denominazione=nome, rappresentante_legale=f"Presidente {nome}"
    )
    d = DomandaFactory(avviso=avviso, organizzazione=organizzazione, stato=stato, **kwargs)
    d.tavoli.set(tavoli)
    return d


def test_import_from_the_manifestazione_says_how_many_were_added(
    client, manifestazione, ambito, staff
):
    avviso, anziani = manifestazione
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani", tavolo_offerto=anziani)
    domanda(
        avviso,
        "Cooperativa Il Girasole",
        Domanda.Stato.AMMESSA,
        [anziani],
        delegato_nome="Giulia Conti",
        delegato_email="giulia@example.org",
    )
    domanda(avviso, "Auser Casalmaggiore", Domanda.Stato.AMMESSA, [anziani])
    gia = domanda(avviso, "ANFFAS Oglio Po", Domanda.Stato.AMMESSA, [anziani])
    domanda(avviso, "Non ammessa", Domanda.Stato.NON_AMMESSA, [anziani])
    MembroFactory(tavolo=tavolo, ente=gia.organizzazione.ente)
    client.force_login(staff)

    page = client.get(reverse("tavoli:membri", args=[tavolo.pk])).content.decode()
    assert reverse("tavoli:membri_importa", args=[tavolo.pk]) in page
    assert reverse("tavoli:membri_comuni", args=[tavolo.pk]) not in page
    assert client.get(reverse("tavoli:membri_importa", args=[tavolo.pk])).status_code == 405

    response = client.post(reverse("tavoli:membri_importa", args=[tavolo.pk]))
    assert response.status_code == 302
    assert messaggi(response) == [
        "2 organisations admitted under the manifestazione d'interesse have been seated. "
        "1 was already a member."
    ]
    assert set(tavolo.membri.values_list("ente__denominazione", flat=True)) == {
        "Cooperativa Il Girasole",
        "Auser Casalmaggiore",
        "ANFFAS Oglio Po",
    }
    assert tavolo.membri.get(delegato_email="giulia@example.org").delegato_nome == "Giulia Conti"


def test_a_body_not_offered_by_a_manifestazione_has_no_import(client, tavolo, staff):
    client.force_login(staff)
    page = client.get(reverse("tavoli:membri", args=[tavolo.pk])).content.decode()
    assert reverse("tavoli:membri_importa", args=[tavolo.pk]) not in page
    response = client.post(reverse("tavoli:membri_importa", args=[tavolo.pk]))
    assert response.status_code == 302
    assert messaggi(response) == [
        "This body is not linked to a table offered by a manifestazione d'interesse."
    ]


def test_the_assemblea_seats_the_comuni_and_names_those_without_a_mayor(
    client, ambito, sindaco, staff
):
    assemblea = TavoloFactory(
        ambito=ambito, tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI, nome="Assemblea dei Sindaci"
    )
    client.force_login(staff)
    page = client.get(reverse("tavoli:membri", args=[assemblea.pk])).content.decode()
    assert reverse("tavoli:membri_comuni", args=[assemblea.pk]) in page

    response = client.post(reverse("tavoli:membri_comuni", args=[assemblea.pk]))
    assert response.status_code == 302
    assert messaggi(response) == [
        "1 municipality has been seated with its mayor.",
        "No mayor is recorded for: Comune di Viadana. Record the mayor among the people of "
        "the ambito, then seat the municipalities again.",
    ]
    [membro] = assemblea.membri.all()
    assert (membro.ente.denominazione, membro.delegato_email) == (
        "Comune di Casalmaggiore",
        "filippo@example.org",
    )
    # The mayor now sees the internal pages of the body, as a member.
    client.force_login(sindaco)
    page = client.get(reverse("tavoli:membri", args=[assemblea.pk])).content.decode()
    assert "filippo@example.org" in page
