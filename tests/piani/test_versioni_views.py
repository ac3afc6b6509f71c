"""The versions of a plan: the list, saving one, reading one back, its PDF and the comparison
of two versions."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pdz.models import AuditLog
from piani import documenti
from piani.models import VersionePiano
from piani.services.documento import congela_versione
from tests.piani import test_piano_views as pagine
from tests.piani.factories import (
    IndicatoreFactory,
    ObiettivoFactory,
    VoceBudgetFactory,
    fonte,
    piano_con_sezioni,
)
from tests.piani.test_piano_views import approva

# The fixtures of the plan's pages.
_media = pagine._media
piano = pagine.piano


def versione(piano, by, motivo=VersionePiano.Motivo.MANUALE):
    return congela_versione(piano, motivo=motivo, by=by)


# --- the list and saving a version ------------------------------------------------------------


def test_staff_save_a_version_now(client, staff, piano):
    client.force_login(staff)
    response = client.post(reverse("piani:versioni", args=[piano.pk]), follow=True)
    salvata = piano.versioni.get()
    assert (salvata.numero, salvata.motivo, salvata.created_by) == (1, "manuale", staff)
    assert salvata.contenuto["sezioni"][0]["testo"].startswith("Il sistema dei servizi")
    assert "Version 1 has been saved" in response.content.decode()
    assert AuditLog.objects.filter(action="piano.versione", user=staff).exists()


def test_a_version_without_changes_is_not_saved_again(client, staff, piano):
    versione(piano, staff)
    client.force_login(staff)
    response = client.post(reverse("piani:versioni", args=[piano.pk]), follow=True)
    assert "Nothing changed since version 1" in response.content.decode()
    assert piano.versioni.count() == 1

    piano.sezioni.filter(lettera="h").update(testo="Il tavolo di consultazione dei cittadini.")
    client.post(reverse("piani:versioni", args=[piano.pk]))
    assert list(piano.versioni.values_list("numero", flat=True)) == [2, 1]


def test_the_list_of_versions(client, sindaco, staff, piano):
    v1 = versione(piano, staff, VersionePiano.Motivo.CONSULTAZIONE)
    piano.sezioni.filter(lettera="b").update(testo="Priorità riviste.")
    v2 = versione(piano, staff, VersionePiano.Motivo.APPROVAZIONE)
    documenti.pdf_versione(v2)
    client.force_login(sindaco)
    response = client.get(reverse("piani:versioni", args=[piano.pk]))
    testo = response.content.decode()
    assert [v.pk for v in response.context["page"]] == [v2.pk, v1.pk]
    assert "Sent to consultation" in testo and "Sent to the vote" in testo
    assert "Chiara Bertoldi" in testo
    assert reverse("piani:versione_pdf", args=[v2.pk]) in testo
    assert "being prepared" in testo  # v1 has no PDF yet
    assert reverse("piani:confronto", args=[piano.pk]) in testo
    assert "Save a version now" not in testo  # a participant


# --- reading a version back -------------------------------------------------------------------


def test_a_version_shows_what_was_frozen(client, sindaco, staff, piano):
    obiettivo = ObiettivoFactory(piano=piano, codice="OB1", titolo="Domiciliarità anziani")
    IndicatoreFactory(obiettivo=obiettivo, nome="Anziani assistiti a casa")
    fnps = fonte("fnps")
    VoceBudgetFactory(piano=piano, anno=2025, fonte=fnps, previsto=Decimal("1000.10"))
    VoceBudgetFactory(piano=piano, anno=2026, fonte=fnps, previsto=Decimal("2000.20"))
    v1 = versione(piano, staff)
    # Later changes to the draft do not touch the version.
    piano.sezioni.filter(lettera="a").update(testo="Testo cambiato dopo.")
    obiettivo.titolo = "Titolo cambiato dopo"
    obiettivo.save()

    client.force_login(sindaco)
    testo = client.get(reverse("piani:versione", args=[v1.pk])).content.decode()
    assert "<strong>Oglio Po</strong>" in testo
    assert "Testo cambiato dopo" not in testo
    assert "Domiciliarità anziani" in testo and "Titolo cambiato dopo" not in testo
    assert "Anziani assistiti a casa" in testo
    assert "€\xa03,000.30" in testo  # the total of the two lines


@pytest.mark.parametrize("persona", ["anonymous", "alice", "staff_altro"])
def test_only_the_approved_version_of_a_published_plan_is_public(
    client, request, staff, piano, persona
):
    bozza = versione(piano, staff)
    piano.sezioni.filter(lettera="b").update(testo="Priorità approvate.")
    approvata = approva(piano, staff, pubblica=True)
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("piani:versione", args=[approvata.pk])).status_code == 200
    assert client.get(reverse("piani:versione", args=[bozza.pk])).status_code == 404
    assert client.get(reverse("piani:versione_pdf", args=[bozza.pk])).status_code == 404


# --- the PDF ----------------------------------------------------------------------------------


def test_the_pdf_is_served_once_rendered(client, sindaco, staff, piano):
    v1 = versione(piano, staff)
    client.force_login(sindaco)
    url = reverse("piani:versione_pdf", args=[v1.pk])

    response = client.get(url)
    assert response.status_code == 200
    assert "The PDF is being prepared" in response.content.decode()
    assert '<meta http-equiv="refresh" content="5">' in response.content.decode()

    documenti.pdf_versione(v1)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert "piano-oglio-po-2025-2027-v1.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_freezing_a_version_renders_its_pdf_after_the_commit(
    staff, piano, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        v1 = versione(piano, staff)
    v1.refresh_from_db()
    assert v1.pdf and v1.pdf_pagine >= 1


def test_the_approved_version_pdf_is_public(client, staff, piano):
    approvata = approva(piano, staff, pubblica=True)
    documenti.pdf_versione(approvata)
    response = client.get(reverse("piani:versione_pdf", args=[approvata.pk]))
    assert response["Content-Type"] == "application/pdf"


# --- comparing two versions -------------------------------------------------------------------


@pytest.fixture
def due_versioni(piano, staff):
    fnps = fonte("fnps")
    VoceBudgetFactory(piano=piano, anno=2025, fonte=fnps, previsto=Decimal("1000.00"))
    ObiettivoFactory(piano=piano, codice="OB1", titolo="Domiciliarità")
    ObiettivoFactory(piano=piano, codice="OB2", titolo="Povertà")
    v1 = versione(piano, staff, VersionePiano.Motivo.CONSULTAZIONE)
    piano.sezioni.filter(lettera="b").update(
        testo="Le priorità del triennio, riviste dopo la consultazione."
    )
    piano.obiettivi.filter(codice="OB2").update(titolo="Povertà estrema")
    ObiettivoFactory(piano=piano, codice="OB3", titolo="Abitare")
    VoceBudgetFactory(piano=piano, anno=2026, fonte=fnps, previsto=Decimal("250.50"))
    v2 = versione(piano, staff, VersionePiano.Motivo.APPROVAZIONE)
    return v1, v2


def test_compare_the_last_two_versions_by_default(client, sindaco, piano, due_versioni):
    v1, v2 = due_versioni
    client.force_login(sindaco)
    response = client.get(reverse("piani:confronto", args=[piano.pk]))
    assert (response.context["da"], response.context["a"]) == (v1, v2)
    testo = response.content.decode()
    assert "<ins>, riviste dopo la consultazione</ins>" in testo
    assert "1 section changed." in testo
    # Unchanged sections are collapsed, with their text.
    assert "<details" in testo and "Il sistema dei servizi" in testo
    assert '<span class="fw-semibold">OB3</span> Abitare' in testo
    assert "<del>Povertà</del>" in testo and "<ins>Povertà estrema</ins>" in testo
    assert "+€\xa0250.50" in testo  # 2026 before → after
    assert "€\xa01,250.50" in testo  # the new total


def test_compare_chosen_versions(client, staff, piano, due_versioni):
    v1, v2 = due_versioni
    client.force_login(staff)
    response = client.get(reverse("piani:confronto", args=[piano.pk]), {"da": v2.pk, "a": v1.pk})
    assert "<del>, riviste dopo la consultazione</del>" in response.content.decode()


def test_compare_needs_two_different_versions_of_the_plan(
    client, staff, ambito, piano, due_versioni
):
    v1, _v2 = due_versioni
    altro = piano_con_sezioni(ambito, anno_inizio=2028)
    estranea = versione(altro, staff)
    client.force_login(staff)
    url = reverse("piani:confronto", args=[piano.pk])
    response = client.get(url, {"da": v1.pk, "a": v1.pk})
    assert "Choose two different versions." in response.content.decode()
    assert "confronto" not in response.context
    response = client.get(url, {"da": estranea.pk, "a": v1.pk})
    assert "Choose a version of this plan." in response.content.decode()


def test_compare_with_one_version_only(client, staff, piano):
    versione(piano, staff)
    client.force_login(staff)
    response = client.get(reverse("piani:confronto", args=[piano.pk]))
    assert "at least two versions to compare" in response.content.decode()


def test_the_diff_does_not_run_scripts(client, staff, piano):
    versione(piano, staff)
    piano.sezioni.filter(lettera="c").update(
        testo="<script>alert('x')</script> [link](javascript:alert(1))"
    )
    versione(piano, staff)
    client.force_login(staff)
    testo = client.get(reverse("piani:confronto", args=[piano.pk])).content.decode()
    assert "<script>alert" not in testo
    assert "&lt;script&gt;" in testo
    assert 'href="javascript:' not in testo
