"""Notices: drafted, published, extended and withdrawn by the Ufficio di Piano; read by all."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pdz.models import AuditLog
from terzo_settore.models import AllegatoAvviso, Avviso, CriterioValutazione, TavoloOfferto
from tests.terzo_settore.factories import AvvisoFactory

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def local(days, hour=12):
    """A datetime-local value ``days`` from today at ``hour``:00."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return f"{day:%Y-%m-%d}T{hour:02d}:00"


def dati_avviso(**overrides):
    return {
        "tipo": Avviso.Tipo.ADESIONE,
        "titolo": "Adesione al Piano di Zona 2026-2028",
        "testo": "Gli enti del Terzo settore possono aderire.",
        "apertura": local(0, 0),
        "chiusura": local(30),
        **overrides,
    }


def formset_data(prefix, rows, fields):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for field, value in zip(fields, row, strict=True):
            data[f"{prefix}-{i}-{field}"] = value
    return data


# --- drafting and publishing -----------------------------------------------------------------


def test_staff_drafts_and_publishes_an_adhesion_notice(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("terzo_settore:avviso_nuovo", args=[ambito.codice]), dati_avviso()
    )
    avviso = Avviso.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("terzo_settore:avviso_gestione", args=[avviso.pk])
    assert (avviso.ambito, avviso.stato, avviso.created_by) == (ambito, Avviso.Stato.BOZZA, staff)
    assert client.get(reverse("terzo_settore:avvisi")).context["page"].paginator.count == 0

    response = client.post(reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]))
    assert response.status_code == 302
    avviso.refresh_from_db()
    assert avviso.stato == Avviso.Stato.PUBBLICATO and avviso.pubblicato_at is not None
    assert avviso.aperto
    assert AuditLog.objects.filter(action="avviso.pubblicato", user=staff).exists()
    public = client.get(reverse("terzo_settore:avvisi"))
    assert [a.pk for a in public.context["page"]] == [avviso.pk]


def test_manifestazione_offers_tables_typed_in_a_formset(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("terzo_settore:avviso_nuovo", args=[ambito.codice]),
        dati_avviso(tipo=Avviso.Tipo.MANIFESTAZIONE, titolo="Manifestazione tavoli"),
    )
    avviso = Avviso.objects.get()
    assert response.url == reverse("terzo_settore:avviso_modifica", args=[avviso.pk])
    # Not publishable without tables: the reason is shown, nothing changes.
    response = client.post(reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]))
    avviso.refresh_from_db()
    assert avviso.stato == Avviso.Stato.BOZZA

    data = dati_avviso(tipo=Avviso.Tipo.MANIFESTAZIONE, titolo="Manifestazione tavoli")
    data.update(
        formset_data(
            "tavoli",
            [("Anziani", "Tavolo area anziani"), ("Disabilità", ""), ("", "")],
            ["nome", "descrizione"],
        )
    )
    response = client.post(reverse("terzo_settore:avviso_modifica", args=[avviso.pk]), data)
    assert response.status_code == 302
    assert list(avviso.tavoli_offerti.values_list("nome", "ordine")) == [
        ("Anziani", 0),
        ("Disabilità", 1),
    ]
    client.post(reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]))
    avviso.refresh_from_db()
    assert avviso.stato == Avviso.Stato.PUBBLICATO
    page = client.get(reverse("terzo_settore:avviso", args=[avviso.pk])).content.decode()
    assert "Anziani" in page and "Disabilità" in page


def test_coprogettazione_takes_italian_amounts_a_cup_criteria_and_a_commission(
    client, staff, sindaco, alice, ambito
):
    avviso = AvvisoFactory(
        ambito=ambito, tipo=Avviso.Tipo.COPROGETTAZIONE, stato=Avviso.Stato.BOZZA, created_by=staff
    )
    client.force_login(staff)
    url = reverse("terzo_settore:avviso_modifica", args=[avviso.pk])
    commissione = client.get(url).context["form"].fields["commissione"].queryset
    assert set(commissione) == {staff, sindaco}  # people with a role in the ambito, not alice
    data = dati_avviso(
        tipo=Avviso.Tipo.COPROGETTAZIONE,
        titolo="Coprogettazione servizi per la disabilità",
        oggetto="Servizi diurni per persone con disabilità",
        budget="150.000,50",
        durata="24 mesi",
        responsabile="Dott.ssa Maria Rossi",
        cup="e41h23000120006",
        commissione=[staff.pk, sindaco.pk],
    )
    data.update(
        formset_data(
            "criteri",
            [("Qualità del progetto", "40"), ("Radicamento territoriale", "20,5")],
            ["descrizione", "punteggio_massimo"],
        )
    )
    response = client.post(url, data)
    assert response.status_code == 302
    avviso.refresh_from_db()
    assert avviso.budget == Decimal("150000.50")
    assert avviso.cup == "E41H23000120006"
    assert set(avviso.commissione.all()) == {staff, sindaco}
    assert list(avviso.criteri.values_list("descrizione", "punteggio_massimo")) == [
        ("Qualità del progetto", Decimal("40")),
        ("Radicamento territoriale", Decimal("20.5")),
    ]
    # The amount comes back the Italian way.
    assert 'value="150.000,50"' in client.get(url).content.decode()
    client.post(reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]))
    avviso.refresh_from_db()
    assert avviso.stato == Avviso.Stato.PUBBLICATO


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"chiusura": local(-1)}, "chiusura"),  # closes before it opens
        ({"cup": "E41H2300012000"}, "cup"),  # 14 characters
        ({"budget": "tanti euro"}, "budget"),
        ({"chiusura": "31/02/2026 12:00"}, "chiusura"),
    ],
    ids=["closing-before-opening", "cup-14-chars", "budget-not-a-number", "no-such-date"],
)
def test_bad_notice_data_is_refused_next_to_the_field_and_kept(
    client, staff, ambito, overrides, field
):
    avviso = AvvisoFactory(
        ambito=ambito, tipo=Avviso.Tipo.COPROGETTAZIONE, stato=Avviso.Stato.BOZZA, created_by=staff
    )
    client.force_login(staff)
    data = dati_avviso(tipo=Avviso.Tipo.COPROGETTAZIONE, titolo="Titolo scritto a mano")
    data.update(formset_data("criteri", [], ["descrizione", "punteggio_massimo"]))
    data.update(overrides)
    response = client.post(reverse("terzo_settore:avviso_modifica", args=[avviso.pk]), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'value="Titolo scritto a mano"' in response.content.decode()
    avviso.refresh_from_db()
    assert avviso.titolo != "Titolo scritto a mano"


def test_a_notice_closing_in_the_past_cannot_be_published(client, staff, ambito):
    avviso = AvvisoFactory(
        ambito=ambito,
        stato=Avviso.Stato.BOZZA,
        apertura=timezone.now() - datetime.timedelta(days=10),
        chiusura=timezone.now() - datetime.timedelta(days=1),
        created_by=staff,
    )
    client.force_login(staff)
    page = client.get(reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]))
    assert page.context["problemi"]
    client.post(reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]))
    avviso.refresh_from_db()
    assert avviso.stato == Avviso.Stato.BOZZA


def test_a_published_notice_is_extended_and_withdrawn_with_a_reason(client, staff, ambito):
    avviso = AvvisoFactory(ambito=ambito, created_by=staff)
    client.force_login(staff)
    # Not editable once published.
    response = client.get(reverse("terzo_settore:avviso_modifica", args=[avviso.pk]))
    assert response.url == reverse("terzo_settore:avviso_gestione", args=[avviso.pk])

    earlier = client.post(
        reverse("terzo_settore:avviso_proroga", args=[avviso.pk]), {"chiusura": local(1)}
    )
    assert "chiusura" in earlier.context["form"].errors
    client.post(reverse("terzo_settore:avviso_proroga", args=[avviso.pk]), {"chiusura": local(40)})
    avviso.refresh_from_db()
    assert timezone.localtime(avviso.chiusura).date() == timezone.localdate() + datetime.timedelta(
        days=40
    )

    no_reason = client.post(reverse("terzo_settore:avviso_annulla", args=[avviso.pk]), {})
    assert "motivazione" in no_reason.context["form"].errors
    client.post(
        reverse("terzo_settore:avviso_annulla", args=[avviso.pk]),
        {"motivazione": "Determina n. 12 del 2026"},
    )
    avviso.refresh_from_db()
    assert avviso.stato == Avviso.Stato.ANNULLATO
    log = AuditLog.objects.get(action="avviso.annullato")
    assert log.data["motivazione"] == "Determina n. 12 del 2026"
    # Still on record for the public, no longer open.
    assert client.get(reverse("terzo_settore:avviso", args=[avviso.pk])).status_code == 200
    assert not avviso.aperto


# --- attachments -----------------------------------------------------------------------------


def test_notice_attachments_are_pdfs_downloadable_with_the_notice(client, staff, ambito):
    avviso = AvvisoFactory(ambito=ambito, stato=Avviso.Stato.BOZZA, created_by=staff)
    client.force_login(staff)
    url = reverse("terzo_settore:avviso_allegato_nuovo", args=[avviso.pk])
    response = client.post(
        url, {"titolo": "Modulo", "file": SimpleUploadedFile("modulo.pdf", PNG, "application/pdf")}
    )
    assert response.status_code == 200
    assert "file" in response.context["allegato_form"].errors
    assert 'value="Modulo"' in response.content.decode()
    assert not AllegatoAvviso.objects.exists()

    client.post(
        url, {"titolo": "Modulo", "file": SimpleUploadedFile("modulo.pdf", PDF, "application/pdf")}
    )
    allegato = AllegatoAvviso.objects.get()
    download = reverse("terzo_settore:avviso_allegato", args=[avviso.pk, allegato.pk])
    client.logout()
    assert client.get(download).status_code == 404  # a draft's attachment is not public
    avviso.stato = Avviso.Stato.PUBBLICATO
    avviso.save()
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_attachments_of_a_draft_can_be_removed_not_those_of_a_published_notice(
    client, staff, ambito
):
    avviso = AvvisoFactory(ambito=ambito, stato=Avviso.Stato.BOZZA, created_by=staff)
    allegato = AllegatoAvviso.objects.create(
        avviso=avviso, titolo="Sbagliato", file=SimpleUploadedFile("x.pdf", PDF)
    )
    client.force_login(staff)
    togli = reverse("terzo_settore:avviso_allegato_togli", args=[avviso.pk, allegato.pk])
    client.post(togli)
    assert not AllegatoAvviso.objects.exists()

    avviso.stato = Avviso.Stato.PUBBLICATO
    avviso.save()
    allegato = AllegatoAvviso.objects.create(
        avviso=avviso, titolo="Pubblicato", file=SimpleUploadedFile("y.pdf", PDF)
    )
    client.post(reverse("terzo_settore:avviso_allegato_togli", args=[avviso.pk, allegato.pk]))
    assert AllegatoAvviso.objects.filter(pk=allegato.pk).exists()


# --- public pages ----------------------------------------------------------------------------


def test_public_list_shows_open_notices_first_then_upcoming_then_closed(
    client, ambito, altro_ambito
):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    chiuso = AvvisoFactory(ambito=ambito, apertura=now - 30 * day, chiusura=now - day)
    aperto_tardi = AvvisoFactory(ambito=altro_ambito, chiusura=now + 20 * day)
    aperto_presto = AvvisoFactory(ambito=ambito, chiusura=now + 2 * day)
    futuro = AvvisoFactory(ambito=ambito, apertura=now + 3 * day, chiusura=now + 30 * day)
    ritirato = AvvisoFactory(ambito=ambito, stato=Avviso.Stato.ANNULLATO)
    AvvisoFactory(ambito=ambito, stato=Avviso.Stato.BOZZA, pubblicato_at=None)
    AvvisoFactory(ambito=ambito, stato=Avviso.Stato.ANNULLATO, pubblicato_at=None)

    response = client.get(reverse("terzo_settore:avvisi"))
    assert [a.pk for a in response.context["page"]] == [
        aperto_presto.pk,
        aperto_tardi.pk,
        futuro.pk,
        ritirato.pk,
        chiuso.pk,
    ]
    filtered = client.get(
        reverse("terzo_settore:avvisi"), {"ambito": altro_ambito.pk, "tipo": "adesione"}
    )
    assert [a.pk for a in filtered.context["page"]] == [aperto_tardi.pk]


def test_public_page_of_a_notice_and_its_drafts(client, staff, alice, ambito):
    avviso = AvvisoFactory(ambito=ambito, titolo="Adesione aperta")
    TavoloOfferto.objects.create(avviso=avviso, nome="Tavolo famiglie")
    bozza = AvvisoFactory(ambito=ambito, stato=Avviso.Stato.BOZZA, pubblicato_at=None)
    response = client.get(reverse("terzo_settore:avviso", args=[avviso.pk]))
    assert response.status_code == 200
    assert "Tavolo famiglie" in response.content.decode()
    assert client.get(reverse("terzo_settore:avviso", args=[bozza.pk])).status_code == 404
    client.force_login(alice)
    assert client.get(reverse("terzo_settore:avviso", args=[bozza.pk])).status_code == 404
    client.force_login(staff)
    assert client.get(reverse("terzo_settore:avviso", args=[bozza.pk])).status_code == 200


def test_public_page_shows_the_published_ranking(client, ambito):
    avviso = AvvisoFactory(
        ambito=ambito,
        tipo=Avviso.Tipo.COPROGETTAZIONE,
        graduatoria_pubblicata_at=timezone.now(),
    )
    CriterioValutazione.objects.create(
        avviso=avviso, descrizione="Qualità", punteggio_massimo=Decimal(10)
    )
    response = client.get(reverse("terzo_settore:avviso", args=[avviso.pk]))
    assert response.status_code == 200
    assert response.context["graduatoria"] == []


# --- who may do what -------------------------------------------------------------------------


@pytest.fixture
def persone(request, ambito):
    return {
        name: request.getfixturevalue(name) if name != "anonymous" else None
        for name in [
            "anonymous",
            "alice",
            "referente",
            "staff",
            "coordinatore",
            "staff_altro",
            "sindaco",
            "admin_regionale",
        ]
    }


# who, status of the notices back-office of the ambito
MATRICE = [
    ("anonymous", 302),
    ("alice", 404),
    ("referente", 403),  # a role in the ambito, not its staff
    ("sindaco", 403),
    ("staff_altro", 404),
    ("staff", 200),
    ("coordinatore", 200),
    ("admin_regionale", 200),
]


@pytest.mark.parametrize("who, status", MATRICE, ids=[w for w, _s in MATRICE])
@pytest.mark.parametrize("page", ["list", "new", "manage", "edit", "publish", "extend", "withdraw"])
def test_notices_back_office_permissions(client, persone, ambito, who, status, page):
    avviso = AvvisoFactory(ambito=ambito, stato=Avviso.Stato.BOZZA)
    pubblicato = AvvisoFactory(ambito=ambito)
    urls = {
        "list": reverse("terzo_settore:avvisi_gestione", args=[ambito.codice]),
        "new": reverse("terzo_settore:avviso_nuovo", args=[ambito.codice]),
        "manage": reverse("terzo_settore:avviso_gestione", args=[avviso.pk]),
        "edit": reverse("terzo_settore:avviso_modifica", args=[avviso.pk]),
        "publish": reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]),
        "extend": reverse("terzo_settore:avviso_proroga", args=[pubblicato.pk]),
        "withdraw": reverse("terzo_settore:avviso_annulla", args=[avviso.pk]),
    }
    if persone[who] is not None:
        client.force_login(persone[who])
    assert client.get(urls[page]).status_code == status


@pytest.mark.parametrize("who, status", MATRICE, ids=[w for w, _s in MATRICE])
def test_nobody_outside_the_staff_changes_a_notice(client, persone, ambito, who, status):
    avviso = AvvisoFactory(ambito=ambito, stato=Avviso.Stato.BOZZA)
    if persone[who] is not None:
        client.force_login(persone[who])
    response = client.post(reverse("terzo_settore:avviso_pubblica", args=[avviso.pk]))
    avviso.refresh_from_db()
    assert response.status_code == (302 if status == 200 else status)
    assert (avviso.stato == Avviso.Stato.PUBBLICATO) == (status == 200)


def test_staff_list_is_only_of_the_ambito(client, staff, ambito, altro_ambito):
    mio = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE, stato=Avviso.Stato.BOZZA)
    AvvisoFactory(ambito=altro_ambito)
    AvvisoFactory(ambito=ambito)
    client.force_login(staff)
    url = reverse("terzo_settore:avvisi_gestione", args=[ambito.codice])
    assert client.get(url).context["page"].paginator.count == 2
    filtered = client.get(url, {"tipo": "rilevazione", "stato": "bozza"})
    assert [a.pk for a in filtered.context["page"]] == [mio.pk]


def test_survey_notice_page_links_the_questions(client, staff, ambito):
    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE, stato=Avviso.Stato.BOZZA)
    client.force_login(staff)
    page = client.get(reverse("terzo_settore:avviso_gestione", args=[avviso.pk]))
    assert reverse("terzo_settore:quesiti", args=[avviso.pk]) in page.content.decode()
