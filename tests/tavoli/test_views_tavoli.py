"""The bodies: the list everybody sees, the page of a body, creating and editing one; who may
do what (the role × action matrix)."""

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ambiti.models import AreaUtenza, SubAmbito
from pdz.models import AuditLog
from tavoli.models import AreaPolicy, Incontro, Membro, Tavolo
from terzo_settore.models import Avviso, TavoloOfferto
from tests.ambiti.factories import AmbitoFactory, EnteFactory
from tests.tavoli.factories import (
    IncontroFactory,
    MembroFactory,
    PuntoOdgFactory,
    RegolaVotoFactory,
    TavoloFactory,
)
from tests.terzo_settore.factories import AvvisoFactory

PERSONAS = ["anonymous", "alice", "sindaco", "staff", "staff_altro", "admin_regionale"]


def as_persona(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def url_exists(name, *args):
    try:
        reverse(name, args=args)
    except NoReverseMatch:
        return False
    return True


@pytest.fixture
def tavolo(ambito, staff):
    return tavolo_pubblico(ambito, staff)


def tavolo_pubblico(ambito, staff):
    """A public thematic table of the ambito, with two members and a voting rule."""
    anziani = AreaUtenza.objects.create(nome="Anziani", ambito=None)
    domiciliarita = AreaPolicy.objects.create(nome="Cura e domiciliarità", ambito=None)
    tavolo = TavoloFactory(
        ambito=ambito,
        nome="Tavolo anziani e non autosufficienza",
        tipo=Tavolo.Tipo.AREA,
        descrizione="Il tavolo tematico dell'area anziani del Casalasco.",
        coordinatore=staff,
        regola_voto=RegolaVotoFactory(nome="Maggioranza dei presenti"),
        preavviso_ore=120,
    )
    tavolo.aree_utenza.add(anziani)
    tavolo.aree_policy.add(domiciliarita)
    MembroFactory(
        tavolo=tavolo,
        ente=EnteFactory(denominazione="ASST di Cremona"),
        delegato_nome="Anna Rossi",
        delegato_email="anna.rossi@example.org",
        ruolo=Membro.Ruolo.PRESIDENTE,
    )
    MembroFactory(
        tavolo=tavolo,
        ente=EnteFactory(denominazione="Cooperativa Il Girasole"),
        delegato_nome="Bruno Verdi",
        delegato_email="bruno.verdi@example.org",
    )
    return tavolo


@pytest.fixture
def interno(ambito):
    return tavolo_interno(ambito)


def tavolo_interno(ambito):
    """A body that is not public: only the people of the ambito and its members see it."""
    return TavoloFactory(
        ambito=ambito, nome="Gruppo di lavoro PNRR", tipo=Tavolo.Tipo.GRUPPO_LAVORO, pubblico=False
    )


@pytest.fixture
def condiviso(altro_ambito, ambito):
    """A provincial body led by the other ambito, with ``ambito`` taking part."""
    tavolo = TavoloFactory(
        ambito=altro_ambito,
        nome="Tavolo provinciale integrazione sociosanitaria",
        tipo=Tavolo.Tipo.CONCERTAZIONE,
        pubblico=False,
    )
    tavolo.ambiti_coinvolti.add(ambito)
    return tavolo


# --- the role × action matrix ---------------------------------------------------------------

VEDE_TUTTI = dict.fromkeys(PERSONAS, 200)
VEDE_INTERNO = {**VEDE_TUTTI, "anonymous": 404, "alice": 404, "staff_altro": 404}
GESTISCE_PUBBLICO = {
    **dict.fromkeys(PERSONAS, 403),
    "anonymous": 302,
    "staff": 200,
    "admin_regionale": 200,
}
GESTISCE_INTERNO = {**GESTISCE_PUBBLICO, "alice": 404, "staff_altro": 404}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("quale", "nome", "attesi"),
    [
        ("tavolo", "tavoli:tavolo", VEDE_TUTTI),
        ("tavolo", "tavoli:membri", VEDE_TUTTI),
        ("tavolo", "tavoli:tavolo_modifica", GESTISCE_PUBBLICO),
        ("tavolo", "tavoli:membro_nuovo", GESTISCE_PUBBLICO),
        ("tavolo", "tavoli:incontro_nuovo", GESTISCE_PUBBLICO),
        ("interno", "tavoli:tavolo", VEDE_INTERNO),
        ("interno", "tavoli:membri", VEDE_INTERNO),
        ("interno", "tavoli:tavolo_modifica", GESTISCE_INTERNO),
        ("interno", "tavoli:membro_nuovo", GESTISCE_INTERNO),
        ("interno", "tavoli:incontro_nuovo", GESTISCE_INTERNO),
    ],
)
def test_who_may_see_and_change_a_body(client, request, persona, quale, nome, attesi):
    tavolo = request.getfixturevalue(quale)
    response = as_persona(client, request, persona).get(reverse(nome, args=[tavolo.pk]))
    assert response.status_code == attesi[persona]


@pytest.mark.parametrize(
    ("persona", "atteso"),
    [
        ("anonymous", 302),
        ("alice", 404),
        ("sindaco", 403),
        ("staff", 200),
        ("staff_altro", 404),
        ("admin_regionale", 200),
    ],
)
def test_who_may_create_a_body_of_the_ambito(client, request, ambito, persona, atteso):
    url = reverse("tavoli:tavolo_nuovo") + f"?ambito={ambito.codice}"
    assert as_persona(client, request, persona).get(url).status_code == atteso


@pytest.mark.parametrize(
    ("persona", "vede", "gestisce"),
    [
        ("alice", 404, 404),
        ("sindaco", 200, 403),
        ("staff", 200, 200),
        ("staff_altro", 200, 200),
        ("admin_regionale", 200, 200),
    ],
)
def test_the_staff_of_every_ambito_taking_part_run_a_shared_body(
    client, request, condiviso, persona, vede, gestisce
):
    client = as_persona(client, request, persona)
    assert client.get(reverse("tavoli:tavolo", args=[condiviso.pk])).status_code == vede
    modifica = reverse("tavoli:tavolo_modifica", args=[condiviso.pk])
    assert client.get(modifica).status_code == gestisce


def test_changes_by_post_are_refused_like_the_pages(client, tavolo, interno, sindaco, staff_altro):
    dati = {"nome": "Nuovo nome", "tipo": Tavolo.Tipo.AREA, "preavviso_ore": 24}
    client.force_login(sindaco)
    assert client.post(reverse("tavoli:tavolo_modifica", args=[tavolo.pk]), dati).status_code == 403
    client.force_login(staff_altro)
    assert client.post(reverse("tavoli:tavolo_modifica", args=[tavolo.pk]), dati).status_code == 403
    response = client.post(reverse("tavoli:tavolo_modifica", args=[interno.pk]), dati)
    assert response.status_code == 404
    assert Tavolo.objects.filter(nome="Nuovo nome").count() == 0


# --- the list -------------------------------------------------------------------------------


def nomi(response):
    return [t.nome for t in response.context["page"]]


def test_the_public_sees_public_bodies_and_staff_see_their_own_too(
    client, tavolo, interno, condiviso, staff, staff_altro, admin_regionale
):
    url = reverse("tavoli:list")
    assert nomi(client.get(url)) == [tavolo.nome]

    client.force_login(staff)
    response = client.get(url)
    assert set(nomi(response)) == {tavolo.nome, interno.nome, condiviso.nome}
    assert "New body" in response.content.decode()

    client.force_login(staff_altro)
    assert set(nomi(client.get(url))) == {tavolo.nome, condiviso.nome}

    client.force_login(admin_regionale)
    assert len(nomi(client.get(url))) == 3


def test_anonymous_visitors_get_no_new_body_button(client, tavolo, alice):
    assert "New body" not in client.get(reverse("tavoli:list")).content.decode()
    client.force_login(alice)
    assert "New body" not in client.get(reverse("tavoli:list")).content.decode()


def test_staff_of_two_ambiti_get_a_button_for_each(client, staff, ambito, altro_ambito):
    from ambiti.models import Ruolo

    Ruolo.objects.create(user=staff, ambito=altro_ambito, tipo=Ruolo.Tipo.UFFICIO_PIANO)
    client.force_login(staff)
    page = client.get(reverse("tavoli:list")).content.decode()
    assert f"?ambito={ambito.codice}" in page and f"?ambito={altro_ambito.codice}" in page


def test_the_list_is_searched_and_filtered(client, tavolo, interno, condiviso, staff, ambito):
    client.force_login(staff)
    url = reverse("tavoli:list")
    assert nomi(client.get(url, {"q": "anziani"})) == [tavolo.nome]
    assert nomi(client.get(url, {"tipo": Tavolo.Tipo.GRUPPO_LAVORO})) == [interno.nome]
    area = tavolo.aree_utenza.get()
    assert nomi(client.get(url, {"area": area.pk})) == [tavolo.nome]
    # A body spanning the ambito is found under it too.
    trovati = set(nomi(client.get(url, {"ambito": ambito.pk})))
    assert trovati == {tavolo.nome, interno.nome, condiviso.nome}


def test_the_list_exports_csv(client, tavolo, staff):
    client.force_login(staff)
    response = client.get(reverse("tavoli:list"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    righe = response.content.decode("utf-8-sig").splitlines()
    assert righe[0].startswith("Name;Kind;Lead ambito")
    assert righe[1].startswith("Tavolo anziani e non autosufficienza;")
    assert ";2;" in righe[1]  # its two members


# --- the page of a body ---------------------------------------------------------------------


def test_the_page_of_a_body_shows_what_it_is_and_its_meetings(client, tavolo, staff):
    futuro = IncontroFactory(
        tavolo=tavolo, titolo="Seconda seduta", stato=Incontro.Stato.CONVOCATO, created_by=staff
    )
    passato = IncontroFactory(
        tavolo=tavolo,
        titolo="Prima seduta",
        inizio=timezone.now() - timedelta(days=30),
        stato=Incontro.Stato.PUBBLICATO,
        created_by=staff,
    )
    client.force_login(staff)
    response = client.get(reverse("tavoli:tavolo", args=[tavolo.pk]))
    page = response.content.decode()
    assert response.context["prossimi"] == [futuro]
    assert response.context["passati"] == [passato]
    for testo in [
        "Il tavolo tematico dell&#x27;area anziani del Casalasco.",
        "Thematic / target-group table",
        "Anziani",
        "Cura e domiciliarità",
        "Chiara Bertoldi",
        "Maggioranza dei presenti",
        "5 days",
        'data-stato="convocato"',
        'data-stato="pubblicato"',
        "anna.rossi@example.org",
        reverse("tavoli:tavolo_modifica", args=[tavolo.pk]),
        reverse("tavoli:incontro_nuovo", args=[tavolo.pk]),
        reverse("tavoli:membri", args=[tavolo.pk]),
    ]:
        assert testo in page, testo
    if url_exists("tavoli:votazioni", tavolo.pk):
        assert reverse("tavoli:votazioni", args=[tavolo.pk]) in page
    if url_exists("tavoli:feed_tavolo", tavolo.pk):
        assert reverse("tavoli:feed_tavolo", args=[tavolo.pk]) in page


def test_the_public_sees_no_email_no_management_and_only_published_minutes(client, tavolo, staff):
    bozza = IncontroFactory(
        tavolo=tavolo,
        inizio=timezone.now() - timedelta(days=60),
        stato=Incontro.Stato.VERBALE_REDATTO,
        created_by=staff,
    )
    pubblicato = IncontroFactory(
        tavolo=tavolo,
        inizio=timezone.now() - timedelta(days=30),
        stato=Incontro.Stato.PUBBLICATO,
        created_by=staff,
    )
    page = client.get(reverse("tavoli:tavolo", args=[tavolo.pk])).content.decode()
    assert "Anna Rossi" in page and "ASST di Cremona" in page
    assert "anna.rossi@example.org" not in page
    assert "chiara@example.org" not in page
    assert reverse("tavoli:tavolo_modifica", args=[tavolo.pk]) not in page
    assert reverse("tavoli:incontro_nuovo", args=[tavolo.pk]) not in page
    if url_exists("tavoli:verbale", pubblicato.pk):
        assert reverse("tavoli:verbale", args=[pubblicato.pk]) in page
        assert reverse("tavoli:verbale", args=[bozza.pk]) not in page


def test_a_mayor_sees_the_emails_but_no_management(client, tavolo, sindaco):
    client.force_login(sindaco)
    page = client.get(reverse("tavoli:tavolo", args=[tavolo.pk])).content.decode()
    assert "anna.rossi@example.org" in page
    assert reverse("tavoli:tavolo_modifica", args=[tavolo.pk]) not in page


def test_a_member_from_outside_the_ambito_sees_the_internal_body(client, interno, alice):
    client.force_login(alice)
    assert client.get(reverse("tavoli:tavolo", args=[interno.pk])).status_code == 404
    MembroFactory(tavolo=interno, delegato_email="ALICE@example.org")
    assert client.get(reverse("tavoli:tavolo", args=[interno.pk])).status_code == 200
    assert interno.nome in nomi(client.get(reverse("tavoli:list")))


# --- creating and editing -------------------------------------------------------------------


def test_staff_with_one_ambito_go_straight_to_its_form(
    client, staff, ambito, altro_ambito, admin_regionale
):
    client.force_login(staff)
    response = client.get(reverse("tavoli:tavolo_nuovo"))
    assert response.status_code == 302
    assert response.url.endswith(f"?ambito={ambito.codice}")
    client.force_login(admin_regionale)
    response = client.get(reverse("tavoli:tavolo_nuovo"))
    assert response.status_code == 200
    assert response.context["ambiti"] == [altro_ambito, ambito]  # by name


def test_someone_who_manages_nothing_cannot_create_bodies(client, alice, sindaco):
    client.force_login(alice)
    assert client.get(reverse("tavoli:tavolo_nuovo")).status_code == 403
    client.force_login(sindaco)
    assert client.get(reverse("tavoli:tavolo_nuovo")).status_code == 403


def test_the_form_offers_only_the_data_of_the_ambito(
    client, staff, sindaco, alice, ambito, altro_ambito
):
    nazionale = AreaUtenza.objects.create(nome="Famiglia e minori")
    propria = AreaUtenza.objects.create(nome="Giovani del Casalasco", ambito=ambito)
    altrui = AreaUtenza.objects.create(nome="Area di altri", ambito=altro_ambito)
    policy = AreaPolicy.objects.create(nome="Lavoro e formazione", ambito=ambito)
    policy_altrui = AreaPolicy.objects.create(nome="Policy di altri", ambito=altro_ambito)
    regola = RegolaVotoFactory(nome="Regola dell'ambito", ambito=ambito)
    regola_altrui = RegolaVotoFactory(nome="Regola di altri", ambito=altro_ambito)
    sub = SubAmbito.objects.create(ambito=ambito, nome="Casalasco")
    SubAmbito.objects.create(ambito=altro_ambito, nome="Sub di altri")
    manifestazione = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE)
    offerto = TavoloOfferto.objects.create(avviso=manifestazione, nome="Tavolo minori")
    adesione = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.ADESIONE)
    TavoloOfferto.objects.create(avviso=adesione, nome="Non di una manifestazione")
    client.force_login(staff)
    form = client.get(reverse("tavoli:tavolo_nuovo") + f"?ambito={ambito.codice}").context["form"]
    # The shared lists (the national one, seeded) and the ambito's own; never another's.
    aree = set(form.fields["aree_utenza"].queryset)
    assert {nazionale, propria} <= aree and altrui not in aree
    policies = set(form.fields["aree_policy"].queryset)
    assert policy in policies and policy_altrui not in policies
    regole = set(form.fields["regola_voto"].queryset)
    assert regola in regole and regola_altrui not in regole
    assert list(form.fields["sub_ambito"].queryset) == [sub]
    assert list(form.fields["tavolo_offerto"].queryset) == [offerto]
    assert list(form.fields["ambiti_coinvolti"].queryset) == [altro_ambito]
    assert set(form.fields["coordinatore"].queryset) == {staff, sindaco}
    assert alice not in form.fields["coordinatore"].queryset


def test_staff_create_a_body_of_their_ambito(client, staff, ambito, altro_ambito):
    area = AreaUtenza.objects.create(nome="Anziani")
    policy = AreaPolicy.objects.create(nome="Domiciliarità")
    regola = RegolaVotoFactory(nome="Una testa un voto")
    client.force_login(staff)
    url = reverse("tavoli:tavolo_nuovo") + f"?ambito={ambito.codice}"
    response = client.post(
        url,
        {
            "nome": "Tavolo anziani",
            "tipo": Tavolo.Tipo.AREA,
            "descrizione": "Area anziani.",
            "aree_utenza": [area.pk],
            "aree_policy": [policy.pk],
            "ambiti_coinvolti": [altro_ambito.pk],
            "coordinatore": staff.pk,
            "regola_voto": regola.pk,
            "preavviso_ore": 72,
            "promemoria_ore": 24,
            "pubblico": "on",
        },
    )
    tavolo = Tavolo.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("tavoli:tavolo", args=[tavolo.pk])
    assert (tavolo.ambito, tavolo.coordinatore, tavolo.regola_voto) == (ambito, staff, regola)
    assert list(tavolo.aree_utenza.all()) == [area]
    assert list(tavolo.ambiti_coinvolti.all()) == [altro_ambito]
    assert tavolo.preavviso_ore == 72 and tavolo.pubblico and tavolo.attivo
    assert AuditLog.objects.filter(action="tavolo.creato", user=staff).exists()
    page = client.get(response.url).content.decode()
    assert "has been created" in page


def test_a_form_with_errors_shows_them_and_keeps_what_was_typed(client, staff, ambito):
    altrui = AreaUtenza.objects.create(nome="Area di altri", ambito=AmbitoFactory())
    client.force_login(staff)
    url = reverse("tavoli:tavolo_nuovo") + f"?ambito={ambito.codice}"
    response = client.post(
        url,
        {
            "nome": "",
            "tipo": Tavolo.Tipo.AREA,
            "descrizione": "Descrizione da non perdere",
            "aree_utenza": [altrui.pk],
            "preavviso_ore": "tanti",
            "promemoria_ore": 24,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"nome", "aree_utenza", "preavviso_ore"}
    page = response.content.decode()
    assert "Descrizione da non perdere" in page
    assert "is-invalid" in page
    assert Tavolo.objects.count() == 0


def test_staff_edit_a_body_and_can_make_it_inactive(client, tavolo, staff):
    client.force_login(staff)
    url = reverse("tavoli:tavolo_modifica", args=[tavolo.pk])
    form = client.get(url).context["form"]
    dati = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    dati.update(
        nome="Tavolo anziani (rinnovato)",
        aree_utenza=[a.pk for a in tavolo.aree_utenza.all()],
        aree_policy=[a.pk for a in tavolo.aree_policy.all()],
        ambiti_coinvolti=[],
        coordinatore=staff.pk,
        regola_voto=tavolo.regola_voto_id,
        pubblico="on",
    )
    dati.pop("attivo")
    response = client.post(url, dati)
    assert response.status_code == 302
    tavolo.refresh_from_db()
    assert tavolo.nome == "Tavolo anziani (rinnovato)"
    assert not tavolo.attivo
    assert AuditLog.objects.filter(action="tavolo.modificato", user=staff).exists()


def test_a_table_offered_by_a_manifestazione_links_to_one_body_only(client, staff, ambito):
    manifestazione = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE)
    offerto = TavoloOfferto.objects.create(avviso=manifestazione, nome="Tavolo minori")
    primo = TavoloFactory(ambito=ambito, tavolo_offerto=offerto)
    client.force_login(staff)
    nuovo = client.get(reverse("tavoli:tavolo_nuovo") + f"?ambito={ambito.codice}")
    assert offerto not in nuovo.context["form"].fields["tavolo_offerto"].queryset
    modifica = client.get(reverse("tavoli:tavolo_modifica", args=[primo.pk]))
    assert offerto in modifica.context["form"].fields["tavolo_offerto"].queryset


def test_the_nav_has_the_tavoli_item(client, tavolo):
    page = client.get(reverse("tavoli:tavolo", args=[tavolo.pk])).content.decode()
    assert f'href="{reverse("tavoli:list")}" aria-current="page"' in page


def test_agenda_items_of_past_meetings_are_not_needed_on_the_body_page(client, tavolo, staff):
    # Many past meetings: the page shows the latest ten and links to the rest.
    for giorni in range(1, 13):
        incontro = IncontroFactory(
            tavolo=tavolo,
            inizio=timezone.now() - timedelta(days=giorni * 7),
            stato=Incontro.Stato.SVOLTO,
            created_by=staff,
        )
        PuntoOdgFactory(incontro=incontro, numero=1)
    response = client.get(reverse("tavoli:tavolo", args=[tavolo.pk]))
    assert len(response.context["passati"]) == 10
    assert response.context["altri_passati"] == 2
    assert "2 earlier meetings" in response.content.decode()
