"""Adhesions to the accordo: who may ask (organisations that took part in the ambito's
planning), the request, the withdrawal, the staff's decision with its e-mail, the list with
its filter and CSV, and the freeze once the accordo is in signature."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambiti.models import Ente
from pdz.models import AuditLog
from piani import documenti
from piani.models import Adesione, Piano
from piani.services import accordo as servizi
from terzo_settore.models import Organizzazione
from tests.conftest import _persona
from tests.piani.test_accordo_servizi import completa_ambito, piano_approvato
from tests.tavoli.factories import MembroFactory, TavoloFactory
from tests.terzo_settore.factories import DomandaFactory, OrganizzazioneFactory, ReferenteFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def piano(ambito, staff):
    completa_ambito(ambito)
    return piano_approvato(ambito, staff)


@pytest.fixture
def girasole(referente):
    return referente.referenze.get().organizzazione


@pytest.fixture
def ammessa(ambito, girasole):
    """Il Girasole was admitted by the ambito's notice of adhesion to the Piano di Zona."""
    DomandaFactory(avviso__ambito=ambito, organizzazione=girasole, stato="ammessa")
    return girasole


def richiedi(client, piano, organizzazione, **dati):
    return client.post(
        reverse("piani:adesione", args=[piano.pk]),
        {
            "organizzazione": organizzazione.pk,
            "impegni": "Trasporto sociale con dieci volontari.",
            "firmatario_nome": "Elena Ruggeri",
            "firmatario_qualifica": "Presidente",
            **dati,
        },
    )


# --- eligibility ----------------------------------------------------------------------------


def test_admitted_organisation_asks_to_adhere(client, piano, referente, ammessa):
    client.force_login(referente)
    pagina = client.get(reverse("piani:adesione", args=[piano.pk]))
    assert pagina.status_code == 200
    assert "Cooperativa sociale Il Girasole" in pagina.content.decode()

    response = richiedi(client, piano, ammessa)

    assert response.status_code == 302
    adesione = Adesione.objects.get()
    assert (adesione.organizzazione, adesione.stato, adesione.richiesta_da) == (
        ammessa,
        Adesione.Stato.RICHIESTA,
        referente,
    )
    assert adesione.firmatario_qualifica == "Presidente"
    pagina = client.get(response.url).content.decode()
    assert "Requested" in pagina and "Trasporto sociale con dieci volontari." in pagina
    assert "Every organisation you act for has already asked to adhere." in pagina
    assert reverse("piani:adesione_ritira", args=[adesione.pk]) in pagina
    assert AuditLog.objects.filter(action="adesione.richiesta").exists()


def test_organisation_sitting_at_a_table_may_adhere(client, ambito, piano, referente, girasole):
    MembroFactory(tavolo=TavoloFactory(ambito=ambito), ente=girasole.ente)
    client.force_login(referente)

    assert richiedi(client, piano, girasole).status_code == 302
    assert Adesione.objects.filter(organizzazione=girasole).exists()


def test_organisation_that_did_not_take_part_cannot_adhere(
    client, ambito, altro_ambito, piano, referente, girasole
):
    DomandaFactory(avviso__ambito=altro_ambito, organizzazione=girasole, stato="ammessa")
    DomandaFactory(avviso__ambito=ambito, organizzazione=girasole, stato="non_ammessa")
    client.force_login(referente)

    # Elena has a role in the ambito, so she sees the plan, but her organisation cannot adhere
    assert client.get(reverse("piani:adesione", args=[piano.pk])).status_code == 403
    assert richiedi(client, piano, girasole).status_code == 403
    assert not Adesione.objects.exists()


def test_only_eligible_organisations_are_offered(client, ambito, piano, referente, ammessa):
    altra = OrganizzazioneFactory(ente__denominazione="Associazione Estranea")
    ReferenteFactory(organizzazione=altra, user=referente)
    client.force_login(referente)

    response = richiedi(client, piano, altra)

    assert response.status_code == 200
    assert "Associazione Estranea" not in response.content.decode()
    assert response.context["form"].errors["organizzazione"]
    assert not Adesione.objects.exists()


def test_one_active_request_per_organisation(client, piano, referente, ammessa):
    client.force_login(referente)
    richiedi(client, piano, ammessa)
    response = richiedi(client, piano, ammessa)
    assert response.status_code == 302  # no form to post to: a message says so
    assert Adesione.objects.count() == 1


# --- withdrawal -----------------------------------------------------------------------------


def test_referente_withdraws_the_request(client, piano, referente, ammessa):
    client.force_login(referente)
    richiedi(client, piano, ammessa)
    adesione = Adesione.objects.get()

    response = client.post(reverse("piani:adesione_ritira", args=[adesione.pk]))

    assert response.status_code == 302
    adesione.refresh_from_db()
    assert adesione.stato == Adesione.Stato.RITIRATA
    # withdrawn, the organisation may ask again
    assert richiedi(client, piano, ammessa).status_code == 302
    assert Adesione.objects.filter(stato=Adesione.Stato.RICHIESTA).count() == 1


@pytest.mark.parametrize(
    ("persona", "status"),
    [("staff", 403), ("sindaco", 403), ("staff_altro", 404), ("alice", 404)],
)
def test_only_the_organisation_withdraws(
    client, request, piano, referente, ammessa, persona, status
):
    adesione = servizi.richiedi_adesione(
        piano, organizzazione=ammessa, impegni="Volontari.", firmatario_nome="Elena Ruggeri",
        firmatario_qualifica="Presidente", by=referente,
    )  # fmt: skip
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse("piani:adesione_ritira", args=[adesione.pk])).status_code == status
    adesione.refresh_from_db()
    assert adesione.stato == Adesione.Stato.RICHIESTA


# --- the staff's decision -------------------------------------------------------------------


@pytest.fixture
def richiesta(piano, referente, ammessa):
    return servizi.richiedi_adesione(
        piano, organizzazione=ammessa, impegni="Trasporto sociale con dieci volontari.",
        firmatario_nome="Elena Ruggeri", firmatario_qualifica="Presidente", by=referente,
    )  # fmt: skip


def test_staff_accept_and_the_referenti_are_told(
    client, staff, richiesta, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    url = reverse("piani:adesione_decidi", args=[richiesta.pk])
    assert "Trasporto sociale con dieci volontari." in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"esito": "accogli", "motivazione": ""})

    assert response.status_code == 302
    richiesta.refresh_from_db()
    assert (richiesta.stato, richiesta.decisa_da) == (Adesione.Stato.ACCOLTA, staff)
    (messaggio,) = mail.outbox
    assert messaggio.to == ["elena@example.org"]
    assert "accepted" in messaggio.subject
    assert "To the referenti of Cooperativa sociale Il Girasole," in messaggio.body
    assert "has been accepted" in messaggio.body
    assert "Elena Ruggeri (Presidente)" in messaggio.body
    assert "Ufficio di Piano" in messaggio.body
    assert AuditLog.objects.filter(action="adesione.accolta").exists()


def test_a_refusal_needs_a_reason(client, staff, richiesta, django_capture_on_commit_callbacks):
    client.force_login(staff)
    url = reverse("piani:adesione_decidi", args=[richiesta.pk])

    response = client.post(url, {"esito": "respingi", "motivazione": " "})
    assert response.status_code == 200
    assert response.context["form"].errors["motivazione"]
    richiesta.refresh_from_db()
    assert richiesta.stato == Adesione.Stato.RICHIESTA

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"esito": "respingi", "motivazione": "L'ente non opera nell'ambito."})
    richiesta.refresh_from_db()
    assert richiesta.stato == Adesione.Stato.RESPINTA
    (messaggio,) = mail.outbox
    assert "not accepted" in messaggio.subject
    assert "L'ente non opera nell'ambito." in messaggio.body
    # decided once: the page has no form any more
    assert client.get(url).context["form"] is None
    assert client.post(url, {"esito": "accogli"}).status_code == 302
    richiesta.refresh_from_db()
    assert richiesta.stato == Adesione.Stato.RESPINTA


@pytest.mark.parametrize(
    ("persona", "status"),
    [("sindaco", 403), ("referente", 403), ("staff_altro", 404), ("alice", 404)],
)
def test_only_the_staff_decide(client, request, richiesta, persona, status):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("piani:adesione_decidi", args=[richiesta.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"esito": "accogli"}).status_code == status
    richiesta.refresh_from_db()
    assert richiesta.stato == Adesione.Stato.RICHIESTA


# --- frozen once the accordo is in signature --------------------------------------------------


def test_nothing_moves_once_the_accordo_is_in_signature(client, piano, staff, referente, richiesta):
    accordo = servizi.prepara_accordo(piano, by=staff)
    documenti.pdf_accordo(accordo)
    servizi.metti_in_firma(accordo, by=staff)

    client.force_login(referente)
    pagina = client.get(reverse("piani:adesione", args=[piano.pk])).content.decode()
    assert "Adhesions are closed" in pagina
    response = client.post(reverse("piani:adesione_ritira", args=[richiesta.pk]), follow=True)
    assert "already in signature" in response.content.decode()
    client.force_login(staff)
    client.post(reverse("piani:adesione_decidi", args=[richiesta.pk]), {"esito": "accogli"})
    richiesta.refresh_from_db()
    assert richiesta.stato == Adesione.Stato.RICHIESTA
    with pytest.raises(Exception, match="already in signature"):
        servizi.decidi_adesione(richiesta, accolta=True, by=staff)


# --- the staff's list -----------------------------------------------------------------------


def aggiungi_adesioni(piano, by, start, stop):
    enti = Ente.objects.bulk_create(
        Ente(tipo=Ente.Tipo.TERZO_SETTORE, denominazione=f"Associazione {n:04d}")
        for n in range(start, stop)
    )
    organizzazioni = Organizzazione.objects.bulk_create(
        Organizzazione(ente=e, forma_giuridica="aps", rappresentante_legale="Mario Rossi")
        for e in enti
    )
    Adesione.objects.bulk_create(
        Adesione(
            piano=piano,
            organizzazione=o,
            stato=[Adesione.Stato.RICHIESTA, Adesione.Stato.ACCOLTA][n % 2],
            impegni="Volontari.",
            firmatario_nome="Mario Rossi",
            firmatario_qualifica="Presidente",
            richiesta_da=by,
        )
        for n, o in enumerate(organizzazioni)
    )


def test_list_filters_by_state_and_exports_csv(client, piano, staff):
    aggiungi_adesioni(piano, staff, 0, 4)
    client.force_login(staff)
    url = reverse("piani:adesioni", args=[piano.pk])

    pagina = client.get(url, {"stato": "accolta"}).content.decode()
    assert "Associazione 0001" in pagina and "Associazione 0003" in pagina
    assert "Associazione 0000" not in pagina

    csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    righe = csv.strip().splitlines()
    assert righe[0].startswith("Organisation;Tax code;State")
    assert len(righe) == 5
    assert "Associazione 0002;;Requested;Volontari.;Mario Rossi;Presidente" in csv


@pytest.mark.parametrize("suffix", ["", "?format=csv", "?stato=richiesta&q=associazione"])
def test_list_queries_do_not_grow_with_rows(client, piano, staff, suffix):
    client.force_login(staff)
    url = reverse("piani:adesioni", args=[piano.pk]) + suffix
    client.get(url)
    aggiungi_adesioni(piano, staff, 0, 5)
    with CaptureQueriesContext(connection) as pochi:
        assert client.get(url).status_code == 200
    aggiungi_adesioni(piano, staff, 5, 20)
    with CaptureQueriesContext(connection) as molti:
        assert client.get(url).status_code == 200
    assert len(pochi) == len(molti)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        (None, 404),
        ("alice", 404),
        ("sindaco", 403),
        ("referente", 403),
        ("staff", 200),
        ("coordinatore", 200),
        ("staff_altro", 404),
        ("admin_regionale", 200),
    ],
)
def test_list_is_for_the_staff(client, request, piano, persona, status):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("piani:adesioni", args=[piano.pk])).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("alice", 404),
        ("sindaco", 403),
        ("staff", 403),
        ("staff_altro", 404),
        ("admin_regionale", 403),
    ],
)
def test_adhesion_page_for_who_cannot_adhere(client, request, piano, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("piani:adesione", args=[piano.pk])).status_code == status


def test_adhesion_page_asks_anonymous_visitors_to_sign_in(client, piano):
    Piano.objects.filter(pk=piano.pk).update(pubblicato_at="2025-05-01T10:00Z")
    response = client.get(reverse("piani:adesione", args=[piano.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_a_stranger_referente_does_not_see_an_unpublished_plan(client, ambito, piano):
    estranea = OrganizzazioneFactory()
    user = _persona("ugo@example.org", "Ugo Sardi")
    ReferenteFactory(organizzazione=estranea, user=user)
    client.force_login(user)
    assert client.get(reverse("piani:adesione", args=[piano.pk])).status_code == 404
