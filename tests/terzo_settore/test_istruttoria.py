"""The review of submitted applications: the queue of the staff's ambiti, the review steps
with their e-mails, the CSV."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ambiti.models import AreaUtenza
from pdz.models import AuditLog
from terzo_settore.models import Domanda
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory, ReferenteFactory


def inviata(avviso, numero, *, stato=Domanda.Stato.INVIATA, giorni_fa=0, **kwargs):
    return DomandaFactory(
        avviso=avviso,
        stato=stato,
        protocollo_anno=2026,
        protocollo_numero=numero,
        inviata_at=timezone.now() - datetime.timedelta(days=giorni_fa),
        **kwargs,
    )


@pytest.fixture
def avviso(ambito):
    return AvvisoFactory(ambito=ambito, titolo="Adesione 2026")


@pytest.fixture
def domanda(avviso, referente):
    from terzo_settore.models import Organizzazione

    return inviata(avviso, 1, organizzazione=Organizzazione.objects.get(referenti__user=referente))


def cambia(client, domanda, nuovo, motivazione=None):
    data = {"nuovo": nuovo}
    if motivazione is not None:
        data[f"{nuovo}-motivazione"] = motivazione
    return client.post(reverse("terzo_settore:cambia_stato", args=[domanda.pk]), data)


# --- the queue -------------------------------------------------------------------------------


def test_the_queue_holds_the_submitted_applications_of_the_staffs_ambiti(
    client, staff, avviso, altro_ambito
):
    mia = inviata(avviso, 1)
    DomandaFactory(avviso=avviso)  # a draft: not the office's business yet
    inviata(AvvisoFactory(ambito=altro_ambito), 1)
    client.force_login(staff)
    response = client.get(reverse("terzo_settore:istruttoria"))
    assert [d.pk for d in response.context["page"]] == [mia.pk]


def test_the_queue_filters_and_searches(client, staff, avviso, ambito):
    anziani = AreaUtenza.objects.create(nome="Anziani di prova", ordine=99)
    altro_avviso = AvvisoFactory(ambito=ambito, titolo="Manifestazione")
    ponte = inviata(avviso, 12, giorni_fa=10, organizzazione__ente__denominazione="APS Il Ponte")
    ponte.organizzazione.aree.add(anziani)
    sole = inviata(
        altro_avviso,
        13,
        stato=Domanda.Stato.AMMESSA,
        giorni_fa=1,
        organizzazione__ente__denominazione="ODV Il Sole",
    )
    client.force_login(staff)
    url = reverse("terzo_settore:istruttoria")

    def pks(**params):
        return [d.pk for d in client.get(url, params).context["page"]]

    assert pks() == [sole.pk, ponte.pk]
    assert pks(avviso=avviso.pk) == [ponte.pk]
    assert pks(stato="ammessa") == [sole.pk]
    assert pks(area=anziani.pk) == [ponte.pk]
    assert pks(q="ponte") == [ponte.pk]
    assert pks(q="2026/000013") == [sole.pk]
    assert pks(q="12") == [ponte.pk]
    assert pks(q=ponte.organizzazione.ente.codice_fiscale) == [ponte.pk]
    giorno = timezone.localdate() - datetime.timedelta(days=5)
    assert pks(dal=giorno.isoformat()) == [sole.pk]
    assert pks(al=giorno.isoformat()) == [ponte.pk]
    bad = client.get(url, {"dal": "32/13/2026"})
    assert bad.status_code == 200
    assert "dal" in bad.context["filterset"].form.errors


def test_the_queue_as_csv_for_excel(client, staff, domanda):
    client.force_login(staff)
    response = client.get(reverse("terzo_settore:istruttoria"), {"format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, row = text.lstrip("\ufeff").splitlines()
    assert header.count(";") == row.count(";") == 10
    assert row.startswith("2026/000001;")
    assert "Cooperativa sociale Il Girasole" in row


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 302),
        ("alice", 404),
        ("referente", 404),
        ("sindaco", 404),
        ("staff_altro", 200),  # their own (empty) queue
        ("staff", 200),
        ("coordinatore", 200),
        ("admin_regionale", 200),
    ],
)
def test_queue_permissions(client, request, domanda, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("terzo_settore:istruttoria"))
    assert response.status_code == status
    if status == 200:
        seen = [d.pk for d in response.context["page"]]
        assert seen == ([] if who == "staff_altro" else [domanda.pk])


# --- the review steps ------------------------------------------------------------------------


def test_take_in_charge_ask_for_information_and_admit(
    client, staff, referente, domanda, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    page = client.get(reverse("terzo_settore:domanda", args=[domanda.pk]))
    assert [a.nuovo for a in page.context["azioni"]] == [Domanda.Stato.IN_ISTRUTTORIA]

    with django_capture_on_commit_callbacks(execute=True):
        response = cambia(client, domanda, "in_istruttoria")
    assert response.url == reverse("terzo_settore:domanda", args=[domanda.pk])
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.IN_ISTRUTTORIA
    [message] = mail.outbox
    assert message.to == [referente.email]
    assert domanda.protocollo in message.subject

    page = client.get(reverse("terzo_settore:domanda", args=[domanda.pk]))
    assert [a.nuovo for a in page.context["azioni"]] == [
        Domanda.Stato.AMMESSA,
        Domanda.Stato.INTEGRAZIONE,
        Domanda.Stato.NON_AMMESSA,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        cambia(client, domanda, "integrazione", "Inviate il bilancio 2025.")
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.INTEGRAZIONE
    assert domanda.richiesta_integrazione == "Inviate il bilancio 2025."
    assert "Inviate il bilancio 2025." in mail.outbox[-1].body

    # The office may take it back without waiting (no e-mail for that).
    with django_capture_on_commit_callbacks(execute=True):
        cambia(client, domanda, "in_istruttoria")
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        cambia(client, domanda, "ammessa", "")
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.AMMESSA
    assert len(mail.outbox) == 3
    assert mail.outbox[-1].subject != mail.outbox[0].subject  # a subject per outcome
    assert list(
        AuditLog.objects.filter(object_id=str(domanda.pk), user=staff)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "domanda.in_istruttoria",
        "domanda.integrazione",
        "domanda.in_istruttoria",
        "domanda.ammessa",
    ]


@pytest.mark.parametrize("nuovo", ["non_ammessa", "integrazione"])
def test_a_step_that_needs_a_reason_keeps_the_page_and_shows_the_error(
    client, staff, domanda, nuovo
):
    domanda.stato = Domanda.Stato.IN_ISTRUTTORIA
    domanda.save()
    client.force_login(staff)
    response = cambia(client, domanda, nuovo, "   ")
    assert response.status_code == 200
    [form] = [a for a in response.context["azioni"] if a.nuovo == nuovo]
    assert "motivazione" in form.errors
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.IN_ISTRUTTORIA
    assert mail.outbox == []


def test_suspend_readmit_and_revoke_an_admitted_application(
    client, staff, domanda, django_capture_on_commit_callbacks
):
    domanda.stato = Domanda.Stato.AMMESSA
    domanda.save()
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        cambia(client, domanda, "sospesa", "Cancellata dal RUNTS, in verifica.")
        cambia(client, domanda, "ammessa")
        cambia(client, domanda, "revocata", "Cancellazione dal RUNTS confermata.")
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.REVOCATA
    assert domanda.motivazione == "Cancellazione dal RUNTS confermata."
    assert len(mail.outbox) == 3
    assert "Cancellazione dal RUNTS confermata." in mail.outbox[-1].body


def test_an_impossible_step_changes_nothing(client, staff, domanda):
    client.force_login(staff)
    response = cambia(client, domanda, "ammessa")
    assert response.status_code == 302
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.INVIATA
    response = cambia(client, domanda, "bozza")
    domanda.refresh_from_db()
    assert domanda.stato == Domanda.Stato.INVIATA


@pytest.mark.parametrize(
    "who, status",
    [
        ("anonymous", 302),
        ("alice", 404),
        ("referente", 403),  # sees the application, does not review it
        ("sindaco", 404),
        ("staff_altro", 404),
        ("staff", 302),
        ("admin_regionale", 302),
    ],
)
def test_only_the_staff_of_the_ambito_reviews(client, request, domanda, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = cambia(client, domanda, "in_istruttoria")
    assert response.status_code == status
    domanda.refresh_from_db()
    assert (domanda.stato == Domanda.Stato.IN_ISTRUTTORIA) == (status == 302 and who != "anonymous")


def test_the_referente_does_not_see_the_review_buttons_nor_the_scores(client, referente, domanda):
    client.force_login(referente)
    page = client.get(reverse("terzo_settore:domanda", args=[domanda.pk]))
    assert page.context["azioni"] == []
    assert reverse("terzo_settore:cambia_stato", args=[domanda.pk]) not in page.content.decode()


def test_another_organisations_referente_cannot_see_the_application(client, domanda):
    altro = ReferenteFactory().user
    client.force_login(altro)
    assert client.get(reverse("terzo_settore:domanda", args=[domanda.pk])).status_code == 404
