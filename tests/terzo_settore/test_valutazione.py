"""The commission scores the admitted co-progettazione proposals; the staff publish the
ranking, which then becomes public and final."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambiti.models import Ente
from pdz.models import AuditLog
from terzo_settore import services
from terzo_settore.models import (
    Avviso,
    CriterioValutazione,
    Domanda,
    Organizzazione,
    Punteggio,
)
from terzo_settore.views.valutazione import todo_commissione
from tests.pdz.factories import UserFactory
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory, OrganizzazioneFactory

D = Decimal
PERSONAS = ["anonymous", "alice", "referente", "commissario", "staff", "staff_altro", "sindaco"]
# The commission and the staff of the ambito; anybody else must not learn the page exists.
VIEW = {
    "anonymous": 302,
    "alice": 404,
    "referente": 404,
    "commissario": 200,
    "staff": 200,
    "staff_altro": 404,
    "sindaco": 404,
}


@pytest.fixture
def commissario(db):
    return UserFactory(email="marco@example.org", full_name="Marco Valutatore")


@pytest.fixture
def collega(db):
    return UserFactory(email="giulia@example.org", full_name="Giulia Esperta")


@pytest.fixture
def avviso(ambito, commissario, collega):
    avviso = AvvisoFactory(
        ambito=ambito,
        tipo=Avviso.Tipo.COPROGETTAZIONE,
        titolo="Co-progettazione servizi per gli anziani",
        cup="J41B22000000001",
    )
    avviso.commissione.set([commissario, collega])
    return avviso


@pytest.fixture
def criteri(avviso):
    return [
        CriterioValutazione.objects.create(
            avviso=avviso, ordine=n, descrizione=descrizione, punteggio_massimo=D(massimo)
        )
        for n, (descrizione, massimo) in enumerate(
            [("Esperienza", "10"), ("Qualità del progetto", "20"), ("Rete", "2.5")]
        )
    ]


def proposta(avviso, nome, numero, stato=Domanda.Stato.AMMESSA, organizzazione=None):
    return DomandaFactory(
        avviso=avviso,
        organizzazione=organizzazione or OrganizzazioneFactory(ente__denominazione=nome),
        stato=stato,
        protocollo_anno=2026,
        protocollo_numero=numero,
        inviata_at=datetime(2026, 5, numero, 10, 0, tzinfo=ZoneInfo("Europe/Rome")),
        proposta="Un servizio di prossimità per gli anziani soli.",
    )


@pytest.fixture
def girasole(avviso, referente):
    """The proposal of Elena's organisation, admitted."""
    organizzazione = Organizzazione.objects.get(ente__denominazione__contains="Girasole")
    return proposta(avviso, None, 1, organizzazione=organizzazione)


@pytest.fixture
def rondine(avviso):
    return proposta(avviso, "La Rondine", 2)


@pytest.fixture
def in_istruttoria(avviso):
    return proposta(avviso, "Ancora in istruttoria", 3, Domanda.Stato.IN_ISTRUTTORIA)


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def scheda_url(avviso, domanda):
    return reverse("terzo_settore:valutazione_scheda", args=[avviso.pk, domanda.pk])


def sheet(criteri, *punti, nota=""):
    data = {}
    for criterio, p in zip(criteri, punti, strict=True):
        data[f"punti_{criterio.pk}"] = p
        data[f"nota_{criterio.pk}"] = nota
    return data


def give(domanda, commissario, criteri, *punti):
    services.assegna_punteggi(
        domanda, dict(zip(criteri, (D(p) for p in punti), strict=True)), by=commissario
    )


# --- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_the_evaluation(client, request, avviso, criteri, girasole, persona):
    login(client, request, persona)
    response = client.get(reverse("terzo_settore:valutazione", args=[avviso.pk]))
    assert response.status_code == VIEW[persona]
    if persona == "anonymous":
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_a_score_sheet(client, request, avviso, criteri, girasole, persona):
    login(client, request, persona)
    assert client.get(scheda_url(avviso, girasole)).status_code == VIEW[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_commission_scores(client, request, avviso, criteri, girasole, persona):
    login(client, request, persona)
    response = client.post(scheda_url(avviso, girasole), sheet(criteri, "5", "10", "1"))
    expected = {**VIEW, "commissario": 302, "staff": 403}
    assert response.status_code == expected[persona]
    assert Punteggio.objects.exists() == (persona == "commissario")


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_staff_publish(client, request, avviso, criteri, girasole, commissario, persona):
    give(girasole, commissario, criteri, "5", "10", "1")
    login(client, request, persona)
    url = reverse("terzo_settore:valutazione_pubblica", args=[avviso.pk])
    expected = {**VIEW, "commissario": 403}
    assert client.get(url).status_code == expected[persona]
    response = client.post(url)
    assert response.status_code == {**expected, "staff": 302}[persona]
    avviso.refresh_from_db()
    assert (avviso.graduatoria_pubblicata_at is not None) == (persona == "staff")


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_ranking_is_public_once_published(
    client, request, avviso, criteri, girasole, commissario, staff, persona
):
    give(girasole, commissario, criteri, "5", "10", "1")
    login(client, request, persona)
    url = reverse("terzo_settore:graduatoria", args=[avviso.pk])
    assert client.get(url).status_code == 404
    services.pubblica_graduatoria(avviso, by=staff)
    assert client.get(url).status_code == 200


def test_the_ranking_of_a_draft_notice_stays_hidden(client, avviso, criteri, staff):
    Avviso.objects.filter(pk=avviso.pk).update(
        stato=Avviso.Stato.BOZZA,
        graduatoria_pubblicata_at=datetime(2026, 6, 1, tzinfo=ZoneInfo("UTC")),
    )
    assert client.get(reverse("terzo_settore:graduatoria", args=[avviso.pk])).status_code == 404


def test_only_co_design_notices_are_evaluated(client, staff, ambito):
    client.force_login(staff)
    rilevazione = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE)
    assert (
        client.get(reverse("terzo_settore:valutazione", args=[rilevazione.pk])).status_code == 404
    )


def test_the_regional_administrator_follows_the_evaluation(client, admin_regionale, avviso):
    client.force_login(admin_regionale)
    assert client.get(reverse("terzo_settore:valutazione", args=[avviso.pk])).status_code == 200


def test_a_member_who_left_the_commission_no_longer_sees_it(client, avviso, commissario):
    avviso.commissione.remove(commissario)
    client.force_login(commissario)
    assert client.get(reverse("terzo_settore:valutazione", args=[avviso.pk])).status_code == 404


# --- the commission's page ----------------------------------------------------------------


def test_a_member_sees_their_own_scores_and_what_is_left(
    client, avviso, criteri, girasole, rondine, in_istruttoria, commissario, collega
):
    give(girasole, commissario, criteri, "8", "15", "2")
    give(rondine, collega, criteri, "1", "1", "1")
    client.force_login(commissario)
    response = client.get(reverse("terzo_settore:valutazione", args=[avviso.pk]))
    righe = {d.organizzazione.ente.denominazione: d for d in response.context["page"]}
    # only the admitted proposals, by protocol number
    assert list(righe) == ["Cooperativa sociale Il Girasole", "La Rondine"]
    assert righe["Cooperativa sociale Il Girasole"].mio_totale == D("25.00")
    assert righe["Cooperativa sociale Il Girasole"].miei == 3
    # the colleague's scores are not theirs
    assert righe["La Rondine"].miei == 0 and righe["La Rondine"].mio_totale is None
    assert response.context["da_valutare"] == 1
    assert response.context["ammesse"] == 2
    # members do not see each other's scores, nor the provisional ranking
    assert "graduatoria" not in response.context
    assert "Giulia Esperta" not in response.content.decode()


def test_staff_see_every_score_read_only(
    client, avviso, criteri, girasole, rondine, commissario, collega, staff
):
    give(girasole, commissario, criteri, "8", "15", "2")
    give(girasole, collega, criteri, "6", "17", "1")
    give(rondine, collega, criteri, "1", "1", "1")
    client.force_login(staff)
    response = client.get(reverse("terzo_settore:valutazione", args=[avviso.pk]))
    assert "page" not in response.context  # no score sheet of their own
    assert [(r.posizione, r.totale, r.commissari) for r in response.context["graduatoria"]] == [
        (1, D("24.50"), 2),
        (2, D("3.00"), 1),
    ]
    assert {m.full_name: m.valutate for m in response.context["commissione"]} == {
        "Marco Valutatore": 1,
        "Giulia Esperta": 2,
    }
    html = response.content.decode()
    assert reverse("terzo_settore:valutazione_pubblica", args=[avviso.pk]) in html

    response = client.get(scheda_url(avviso, girasole))
    assert response.context["form"] is None
    tutti = {
        m.full_name: [p.punti if p else None for p in ps] for m, ps in response.context["tutti"]
    }
    assert tutti == {
        "Giulia Esperta": [D("6"), D("17"), D("1")],
        "Marco Valutatore": [D("8"), D("15"), D("2")],
    }


def test_a_member_of_the_staff_may_also_sit_on_the_commission(
    client, avviso, criteri, girasole, staff
):
    avviso.commissione.add(staff)
    client.force_login(staff)
    response = client.get(reverse("terzo_settore:valutazione", args=[avviso.pk]))
    assert "page" in response.context and "graduatoria" in response.context
    response = client.post(scheda_url(avviso, girasole), sheet(criteri, "1", "2", "0,5"))
    assert response.status_code == 302


# --- scoring ----------------------------------------------------------------------------------


def test_a_member_scores_a_proposal_with_notes(client, avviso, criteri, girasole, commissario):
    client.force_login(commissario)
    data = sheet(criteri, "7,5", "18", "2,5", nota="Buona rete di volontari.")
    response = client.post(scheda_url(avviso, girasole), data)
    assert response.status_code == 302
    assert response.url == reverse("terzo_settore:valutazione", args=[avviso.pk])
    punteggi = Punteggio.objects.filter(domanda=girasole, commissario=commissario)
    assert sorted((p.criterio.descrizione, p.punti, p.nota) for p in punteggi) == [
        ("Esperienza", D("7.50"), "Buona rete di volontari."),
        ("Qualità del progetto", D("18.00"), "Buona rete di volontari."),
        ("Rete", D("2.50"), "Buona rete di volontari."),
    ]
    assert AuditLog.objects.filter(action="domanda.punteggio").count() == 3
    followed = client.get(response.url)
    assert [m.level_tag for m in followed.context["messages"]] == ["success"]

    # the sheet opens again with the scores given, and they can be changed
    form = client.get(scheda_url(avviso, girasole)).context["form"]
    assert form[f"punti_{criteri[0].pk}"].value() == "7,5"
    client.post(scheda_url(avviso, girasole), sheet(criteri, "9", "18", "2,5"))
    assert Punteggio.objects.get(domanda=girasole, criterio=criteri[0]).punti == D("9")
    assert punteggi.count() == 3


@pytest.mark.parametrize(
    "punti, field",
    [
        (("-1", "10", "1"), 0),
        (("10,5", "10", "1"), 0),
        (("10", "20,01", "1"), 1),
        (("10", "20", "2,51"), 2),
        (("10", "venti", "1"), 1),
        (("10", "", "1"), 1),
    ],
    ids=["negative", "over-10", "over-20", "over-2.5", "not-a-number", "missing"],
)
def test_scores_outside_the_range_are_refused(
    client, avviso, criteri, girasole, commissario, punti, field
):
    client.force_login(commissario)
    response = client.post(scheda_url(avviso, girasole), sheet(criteri, *punti))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [f"punti_{criteri[field].pk}"]
    # what was typed stays, and nothing is saved, not even the valid scores
    assert form[f"punti_{criteri[field].pk}"].value() == punti[field]
    assert not Punteggio.objects.exists()


def test_the_maximum_itself_is_allowed(client, avviso, criteri, girasole, commissario):
    client.force_login(commissario)
    response = client.post(scheda_url(avviso, girasole), sheet(criteri, "10", "20", "2.5"))
    assert response.status_code == 302


def test_the_service_refuses_scores_outside_the_range(avviso, criteri, girasole, commissario):
    for punti in (D("-0.01"), D("2.51")):
        with pytest.raises(services.PunteggioNonValido) as error:
            services.assegna_punteggio(girasole, criteri[2], punti=punti, by=commissario)
        assert error.value.criterio == criteri[2]
    with pytest.raises(services.PunteggioNonValido):
        give(girasole, commissario, criteri, "10", "21", "1")
    assert not Punteggio.objects.exists()


def test_a_proposal_not_admitted_is_not_scored(
    client, avviso, criteri, in_istruttoria, commissario
):
    client.force_login(commissario)
    assert client.get(scheda_url(avviso, in_istruttoria)).status_code == 404
    response = client.post(scheda_url(avviso, in_istruttoria), sheet(criteri, "1", "1", "1"))
    assert response.status_code == 404
    with pytest.raises(services.OperazioneNonValida):
        services.assegna_punteggio(in_istruttoria, criteri[0], punti=D(1), by=commissario)
    assert not Punteggio.objects.exists()


def test_a_proposal_of_another_notice_is_not_found(client, avviso, criteri, commissario, ambito):
    altra = proposta(AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.COPROGETTAZIONE), "Altra", 9)
    client.force_login(commissario)
    assert client.get(scheda_url(avviso, altra)).status_code == 404


def test_only_members_score_even_through_the_service(avviso, criteri, girasole, staff):
    with pytest.raises(services.OperazioneNonValida):
        services.assegna_punteggio(girasole, criteri[0], punti=D(1), by=staff)


def test_a_criterion_of_another_notice_is_refused(avviso, criteri, girasole, commissario, ambito):
    altro = CriterioValutazione.objects.create(
        avviso=AvvisoFactory(ambito=ambito), descrizione="Altro", punteggio_massimo=D(5)
    )
    with pytest.raises(services.OperazioneNonValida):
        services.assegna_punteggio(girasole, altro, punti=D(1), by=commissario)


def test_after_publication_scores_are_final(client, avviso, criteri, girasole, commissario, staff):
    give(girasole, commissario, criteri, "5", "10", "1")
    services.pubblica_graduatoria(avviso, by=staff)
    client.force_login(commissario)
    response = client.get(scheda_url(avviso, girasole))
    assert response.context["pubblicata"]
    assert "<form" not in response.content.decode().split('id="scheda-title"')[1]
    response = client.post(scheda_url(avviso, girasole), sheet(criteri, "9", "19", "2"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Punteggio.objects.get(domanda=girasole, criterio=criteri[0]).punti == D("5")
    with pytest.raises(services.OperazioneNonValida):
        services.assegna_punteggio(girasole, criteri[0], punti=D(9), by=commissario)


# --- publication --------------------------------------------------------------------------


def test_staff_publish_the_ranking(client, avviso, criteri, girasole, rondine, commissario, staff):
    give(girasole, commissario, criteri, "8", "15", "2")
    client.force_login(staff)
    url = reverse("terzo_settore:valutazione_pubblica", args=[avviso.pk])
    response = client.get(url)
    # La Rondine has no scores yet, Il Girasole one member of two: both are pointed out
    assert len(response.context["incomplete"]) == 2
    response = client.post(url, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["success"]
    avviso.refresh_from_db()
    assert avviso.graduatoria_pubblicata_at is not None
    assert AuditLog.objects.filter(action="avviso.graduatoria_pubblicata").count() == 1
    # a second time is refused, and the confirmation page is gone
    response = client.post(url, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert client.get(url).status_code == 302


def test_nothing_scored_nothing_to_publish(client, avviso, criteri, girasole, staff):
    client.force_login(staff)
    response = client.post(
        reverse("terzo_settore:valutazione_pubblica", args=[avviso.pk]), follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    avviso.refresh_from_db()
    assert avviso.graduatoria_pubblicata_at is None


def test_the_public_ranking_shows_public_fields_only(
    client, avviso, criteri, girasole, rondine, commissario, collega, staff
):
    give(girasole, commissario, criteri, "8", "15", "2")
    give(girasole, collega, criteri, "7", "16", "2.5")
    services.assegna_punteggio(
        rondine, criteri[0], punti=D("3"), nota="Nota riservata alla commissione", by=collega
    )
    services.pubblica_graduatoria(avviso, by=staff)
    response = client.get(reverse("terzo_settore:graduatoria", args=[avviso.pk]))
    righe = response.context["graduatoria"]
    assert [(r.posizione, r.organizzazione, r.totale) for r in righe] == [
        (1, "Cooperativa sociale Il Girasole", D("25.25")),
        (2, "La Rondine", D("3.00")),
    ]
    html = response.content.decode()
    assert "25,25" in html and "7,50" in html and "15,50" in html and "2,25" in html
    assert "Cooperativa sociale Il Girasole" in html
    for private in ("Nota riservata", "Marco Valutatore", "Giulia Esperta", "2026/000001"):
        assert private not in html
    assert reverse("terzo_settore:valutazione_scheda", args=[avviso.pk, girasole.pk]) not in html


# --- the home page ----------------------------------------------------------------------------


def todo(user):
    request = RequestFactory().get("/")
    request.user = user
    return todo_commissione(request)


def test_home_page_block_of_a_member(avviso, criteri, girasole, rondine, commissario, staff):
    (block,) = todo(commissario)
    (item,) = block.items
    assert item.title == avviso.titolo
    assert item.url == reverse("terzo_settore:valutazione", args=[avviso.pk])
    assert "2" in item.detail
    give(girasole, commissario, criteri, "1", "1", "1")
    give(rondine, commissario, criteri, "1", "1", "1")
    (block,) = todo(commissario)
    assert "2" not in block.items[0].detail
    services.pubblica_graduatoria(avviso, by=staff)
    assert todo(commissario) == []
    assert todo(staff) == []


def test_no_block_without_admitted_proposals(avviso, in_istruttoria, commissario, alice):
    assert todo(commissario) == []
    assert todo(alice) == []


# --- queries ----------------------------------------------------------------------------------


def analyze(*models):
    """Fresh statistics for the planner: after earlier tests rolled their rows back,
    autovacuum may have left these tables recorded as empty, and a plan made for empty
    tables takes minutes on 1,000 rows."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def add_proposals(avviso, criteri, membri, start, stop):
    enti = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Associazione {n:04d}")
        for n in range(start, stop)
    )
    organizzazioni = Organizzazione.objects.bulk_create(
        Organizzazione(ente=e, forma_giuridica="aps", rappresentante_legale="Mario Rossi")
        for e in enti
    )
    author = UserFactory()
    domande = Domanda.objects.bulk_create(
        Domanda(
            avviso=avviso,
            ambito=avviso.ambito,
            organizzazione=o,
            stato=Domanda.Stato.AMMESSA,
            protocollo_anno=2026,
            protocollo_numero=100 + n,
            created_by=author,
        )
        for n, o in zip(range(start, stop), organizzazioni, strict=True)
    )
    Punteggio.objects.bulk_create(
        Punteggio(domanda=d, criterio=c, commissario=m, punti=D(n % 3))
        for n, d in enumerate(domande)
        for c in criteri
        for m in membri[: 1 + n % 2]
    )
    analyze(Ente, Organizzazione, Domanda, Punteggio)


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["commissario", "staff"])
def test_the_evaluation_page_runs_the_same_queries_with_10_and_1000_proposals(
    client, request, avviso, criteri, commissario, collega, persona
):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("terzo_settore:valutazione", args=[avviso.pk])
    client.get(url)
    add_proposals(avviso, criteri, [commissario, collega], 0, 10)
    few = queries(client, url)
    add_proposals(avviso, criteri, [commissario, collega], 10, 1000)
    many = queries(client, url)
    assert few == many, f"{few} queries with 10 proposals, {many} with 1,000"


@pytest.mark.parametrize("page", ["public", "publish"])
def test_the_ranking_runs_the_same_queries_with_10_and_1000_proposals(
    client, avviso, criteri, commissario, collega, staff, page
):
    client.force_login(staff)
    add_proposals(avviso, criteri, [commissario, collega], 0, 10)
    if page == "public":
        services.pubblica_graduatoria(avviso, by=staff)
        url = reverse("terzo_settore:graduatoria", args=[avviso.pk])
    else:
        url = reverse("terzo_settore:valutazione_pubblica", args=[avviso.pk])
    client.get(url)
    few = queries(client, url)
    add_proposals(avviso, criteri, [commissario, collega], 10, 1000)
    assert queries(client, url) == few


def test_the_score_sheet_of_the_staff_runs_the_same_queries_with_many_members(
    client, avviso, criteri, girasole, staff
):
    client.force_login(staff)
    url = scheda_url(avviso, girasole)
    client.get(url)
    few = queries(client, url)
    membri = [UserFactory() for _ in range(15)]
    avviso.commissione.add(*membri)
    for membro in membri:
        give(girasole, membro, criteri, "1", "2", "0.5")
    assert queries(client, url) == few
