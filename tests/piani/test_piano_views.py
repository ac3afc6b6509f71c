"""The plan's pages: the list, a new plan, the working page and the public page, the phases,
the sections, the attachments, publishing; who may do what (the role × action matrix)."""

import datetime
import re
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pdz.models import AuditLog
from piani.models import (
    Accordo,
    Allegato,
    Consultazione,
    Piano,
    VersionePiano,
)
from piani.services.documento import congela_versione
from terzo_settore.models import Domanda
from tests.pdz.factories import UserFactory
from tests.piani.factories import (
    ObiettivoFactory,
    VoceBudgetFactory,
    fonte,
    piano_con_sezioni,
)
from tests.tavoli.factories import IncontroFactory, MembroFactory, TavoloFactory
from tests.terzo_settore.factories import (
    AvvisoFactory,
    DomandaFactory,
    OrganizzazioneFactory,
    ReferenteFactory,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PERSONAS = [
    "anonymous",
    "alice",
    "sindaco",
    "membro",
    "ets",
    "staff",
    "staff_altro",
    "admin_regionale",
]
PARTECIPANTI = ["sindaco", "membro", "ets"]


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _utente(email, nome):
    user = UserFactory(email=email, full_name=nome)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def membro(ambito):
    """Marta sits at a table of the ambito for an association; she has no role in it."""
    user = _utente("marta@example.org", "Marta Ferrari")
    MembroFactory(tavolo=TavoloFactory(ambito=ambito), delegato_email=user.email)
    return user


@pytest.fixture
def ets(ambito):
    """Giorgio acts for an organisation that a notice of the ambito admitted; no role."""
    user = _utente("giorgio@example.org", "Giorgio Neri")
    organizzazione = OrganizzazioneFactory(ente__denominazione="APS Il Ponte")
    ReferenteFactory(organizzazione=organizzazione, user=user)
    DomandaFactory(
        avviso=AvvisoFactory(ambito=ambito),
        organizzazione=organizzazione,
        stato=Domanda.Stato.AMMESSA,
    )
    return user


@pytest.fixture
def piano(ambito, staff):
    return piano_con_sezioni(
        ambito,
        by=staff,
        a="Il sistema dei servizi dell'ambito **Oglio Po**.",
        b="Le priorità del triennio.",
    )


def approva(piano, by, *, pubblica=False):
    """The plan as the mayors' vote leaves it: a frozen version, approved (and published)."""
    versione = congela_versione(piano, motivo=VersionePiano.Motivo.APPROVAZIONE, by=by)
    piano.stato = Piano.Stato.APPROVATO
    piano.versione_approvata = versione
    piano.approvato_il = datetime.date(2025, 3, 14)
    if pubblica:
        piano.pubblicato_at = timezone.now()
    piano.save()
    return versione


@pytest.fixture
def pubblicato(piano, staff):
    approva(piano, staff, pubblica=True)
    return piano


def as_persona(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    return client


def versione_di(piano):
    return congela_versione(piano, motivo=VersionePiano.Motivo.MANUALE, by=piano.created_by)


def allegato_di(piano, by, titolo="Mappa dei servizi"):
    return Allegato.objects.create(
        piano=piano,
        titolo=titolo,
        file=SimpleUploadedFile("mappa.pdf", PDF, "application/pdf"),
        caricato_da=by,
    )


# --- the role × action matrix -----------------------------------------------------------------

VEDE_INTERNO = {
    **dict.fromkeys(PERSONAS, 200),
    "anonymous": 404,
    "alice": 404,
    "staff_altro": 404,
}
GESTISCE = {
    **dict.fromkeys(PARTECIPANTI, 403),
    "anonymous": 302,
    "alice": 404,
    "staff": 200,
    "staff_altro": 404,
    "admin_regionale": 200,
}
SCARICA = {**VEDE_INTERNO, "anonymous": 302}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("nome", "argomenti", "attesi"),
    [
        ("piani:piano", lambda p: [p.pk], VEDE_INTERNO),
        ("piani:sezione", lambda p: [p.pk, "a"], VEDE_INTERNO),
        ("piani:versioni", lambda p: [p.pk], VEDE_INTERNO),
        ("piani:confronto", lambda p: [p.pk], VEDE_INTERNO),
        ("piani:modifica", lambda p: [p.pk], GESTISCE),
        ("piani:fase", lambda p: [p.pk, 4], GESTISCE),
        ("piani:sezione_modifica", lambda p: [p.pk, "a"], GESTISCE),
        ("piani:allegato_nuovo", lambda p: [p.pk], GESTISCE),
        ("piani:allegato", lambda p: [allegato_di(p, p.created_by).pk], SCARICA),
        ("piani:allegato_rimuovi", lambda p: [allegato_di(p, p.created_by).pk], GESTISCE),
        ("piani:versione", lambda p: [versione_di(p).pk], VEDE_INTERNO),
    ],
)  # fmt: skip
def test_matrix_of_a_draft_plan(client, request, piano, persona, nome, argomenti, attesi):
    as_persona(client, request, persona)
    response = client.get(reverse(nome, args=argomenti(piano)))
    assert response.status_code == attesi[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_everybody_sees_the_list_of_plans(client, request, piano, persona):
    as_persona(client, request, persona)
    assert client.get(reverse("piani:elenco")).status_code == 200


@pytest.mark.parametrize(
    ("persona", "atteso"),
    [
        ("anonymous", 302),
        ("alice", 403),
        ("sindaco", 403),
        ("membro", 403),
        ("ets", 403),
        ("staff", 200),
        ("staff_altro", 200),  # for their own ambito
        ("admin_regionale", 200),
    ],
)
def test_who_may_start_a_plan(client, request, ambito, persona, atteso):
    as_persona(client, request, persona)
    assert client.get(reverse("piani:nuovo")).status_code == atteso


@pytest.mark.parametrize(
    ("persona", "atteso"),
    [("sindaco", 403), ("staff", 200), ("staff_altro", 404), ("admin_regionale", 200)],
)
def test_who_may_start_a_plan_of_this_ambito(client, request, ambito, persona, atteso):
    as_persona(client, request, persona)
    url = reverse("piani:nuovo") + f"?ambito={ambito.codice}"
    assert client.get(url).status_code == atteso


@pytest.mark.parametrize("persona", PERSONAS)
def test_everybody_reads_a_published_plan(client, request, pubblicato, persona):
    as_persona(client, request, persona)
    response = client.get(reverse("piani:piano", args=[pubblicato.pk]))
    assert response.status_code == 200
    pubblica = persona in ("anonymous", "alice", "staff_altro")
    assert ("piani/piano/pubblico.html" in [t.name for t in response.templates]) == pubblica


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_publish(client, request, piano, staff, persona):
    approva(piano, staff)
    as_persona(client, request, persona)
    response = client.post(reverse("piani:pubblica", args=[piano.pk]))
    attesi = {**GESTISCE, "staff": 302, "admin_regionale": 302}
    assert response.status_code == attesi[persona]
    piano.refresh_from_db()
    assert piano.pubblicato == (persona in ("staff", "admin_regionale"))


@pytest.mark.parametrize("persona", PARTECIPANTI + ["alice", "staff_altro"])
def test_only_staff_save_a_version(client, request, piano, persona):
    as_persona(client, request, persona)
    response = client.post(reverse("piani:versioni", args=[piano.pk]))
    assert response.status_code == (403 if persona in PARTECIPANTI else 404)
    assert not piano.versioni.exists()


# --- the list ---------------------------------------------------------------------------------


def test_anonymous_visitors_see_published_plans_only(client, piano, staff, altro_ambito):
    altro = piano_con_sezioni(altro_ambito, anno_inizio=2022)
    approva(altro, staff, pubblica=True)
    response = client.get(reverse("piani:elenco"))
    testo = response.content.decode()
    assert altro.titolo in testo and altro_ambito.nome in testo
    assert "Ambito Oglio Po" not in testo  # the draft of the other ambito
    assert "New plan" not in testo


def test_participants_see_the_drafts_of_their_ambito(client, sindaco, piano, altro_ambito):
    bozza_altrui = piano_con_sezioni(altro_ambito, anno_inizio=2028)
    client.force_login(sindaco)
    page = client.get(reverse("piani:elenco")).context["page"]
    assert [p.pk for p in page] == [piano.pk]
    assert bozza_altrui.pk not in [p.pk for p in page]


def test_search_and_filters(client, staff, ambito, piano):
    vecchio = piano_con_sezioni(ambito, anno_inizio=2021)
    vecchio.titolo = "Piano sociale di zona Casalasco"
    vecchio.save()
    approva(vecchio, staff, pubblica=True)
    client.force_login(staff)

    def trovati(**filtri):
        response = client.get(reverse("piani:elenco"), filtri)
        return [p.pk for p in response.context["page"]]

    assert trovati(q="casalasco") == [vecchio.pk]
    assert trovati(q="oglio") == [piano.pk, vecchio.pk]
    assert trovati(stato="bozza") == [piano.pk]
    assert trovati(pubblicato="1") == [vecchio.pk]
    assert trovati(pubblicato="0") == [piano.pk]
    assert trovati(ambito=ambito.pk) == [piano.pk, vecchio.pk]


def test_list_as_csv(client, staff, piano):
    client.force_login(staff)
    response = client.get(reverse("piani:elenco"), {"format": "csv"})
    righe = response.content.decode("utf-8-sig").splitlines()
    assert righe[0].startswith("Title;Ambito;First year;Last year;State")
    assert righe[1].startswith("Piano di Zona 2025-2027;Ambito Oglio Po;2025;2027;Drafting;")


def test_new_plan_button_goes_to_the_only_ambito_run(client, staff, ambito):
    client.force_login(staff)
    response = client.get(reverse("piani:elenco"))
    assert f'href="{reverse("piani:nuovo")}?ambito={ambito.codice}"' in response.content.decode()


def test_new_plan_button_of_who_runs_several_ambiti(client, admin_regionale, ambito, altro_ambito):
    client.force_login(admin_regionale)
    response = client.get(reverse("piani:elenco"))
    assert f'href="{reverse("piani:nuovo")}"' in response.content.decode()


def test_no_new_plan_button_for_participants(client, sindaco):
    client.force_login(sindaco)
    assert "New plan" not in client.get(reverse("piani:elenco")).content.decode()


# --- a new plan -------------------------------------------------------------------------------


def test_staff_create_a_plan(client, staff, ambito):
    client.force_login(staff)
    response = client.get(reverse("piani:nuovo") + f"?ambito={ambito.codice}")
    form = response.context["form"]
    anno = timezone.localdate().year
    assert form["titolo"].value() == f"Piano di Zona {anno}-{anno + 2}"

    response = client.post(
        reverse("piani:nuovo") + f"?ambito={ambito.codice}",
        {"ambito": ambito.pk, "anno_inizio": 2026, "titolo": f"Piano di Zona {anno}-{anno + 2}"},
        follow=True,
    )
    piano = Piano.objects.get()
    # The standard title followed the year chosen.
    assert piano.titolo == "Piano di Zona 2026-2028"
    assert (piano.ambito, piano.anno_inizio, piano.created_by) == (ambito, 2026, staff)
    assert piano.fasi.count() == 9 and piano.sezioni.count() == 8
    assert response.redirect_chain[-1][0] == reverse("piani:piano", args=[piano.pk])
    assert "has been created" in response.content.decode()
    assert AuditLog.objects.filter(action="piano.creato", user=staff).exists()


def test_a_title_of_ones_own_stays(client, staff, ambito):
    client.force_login(staff)
    client.post(
        reverse("piani:nuovo"),
        {"ambito": ambito.pk, "anno_inizio": 2026, "titolo": "Piano sociale Oglio Po"},
    )
    assert Piano.objects.get().titolo == "Piano sociale Oglio Po"


def test_the_next_plan_starts_after_the_last_one(client, staff, ambito, piano):
    client.force_login(staff)
    form = client.get(reverse("piani:nuovo") + f"?ambito={ambito.codice}").context["form"]
    assert form["anno_inizio"].value() == 2028
    assert form["titolo"].value() == "Piano di Zona 2028-2030"


@pytest.mark.parametrize(
    ("anno", "errore"),
    [
        (2025, "already has a plan for 2025-2027"),
        (2026, "which overlaps these years"),
        (2023, "which overlaps these years"),
        (1999, "from 2000 onwards"),
        (timezone.localdate().year + 6, "years ahead"),
    ],
)
def test_years_are_checked_next_to_the_field(client, staff, ambito, piano, anno, errore):
    client.force_login(staff)
    response = client.post(
        reverse("piani:nuovo"), {"ambito": ambito.pk, "anno_inizio": anno, "titolo": ""}
    )
    assert response.status_code == 200
    assert any(errore in e for e in response.context["form"].errors["anno_inizio"])
    assert Piano.objects.count() == 1


def test_staff_cannot_create_a_plan_for_an_ambito_they_do_not_run(
    client, staff, ambito, altro_ambito
):
    client.force_login(staff)
    response = client.post(reverse("piani:nuovo"), {"ambito": altro_ambito.pk, "anno_inizio": 2026})
    assert "ambito" in response.context["form"].errors
    assert not Piano.objects.exists()


# --- editing the plan -------------------------------------------------------------------------


def test_edit_title_and_years_while_no_version(client, staff, piano):
    client.force_login(staff)
    response = client.post(
        reverse("piani:modifica", args=[piano.pk]),
        {"titolo": "Piano di Zona 2025-2027", "anno_inizio": 2026},
    )
    assert response.status_code == 302
    piano.refresh_from_db()
    assert (piano.anno_inizio, piano.titolo) == (2026, "Piano di Zona 2026-2028")


def test_years_are_fixed_once_a_version_exists(client, staff, piano):
    congela_versione(piano, motivo=VersionePiano.Motivo.MANUALE, by=staff)
    client.force_login(staff)
    response = client.get(reverse("piani:modifica", args=[piano.pk]))
    assert response.context["form"].fields["anno_inizio"].disabled
    client.post(
        reverse("piani:modifica", args=[piano.pk]),
        {"titolo": "Piano di Zona Oglio Po", "anno_inizio": 2029},
    )
    piano.refresh_from_db()
    assert (piano.anno_inizio, piano.titolo) == (2025, "Piano di Zona Oglio Po")


def test_years_cannot_leave_objectives_outside(client, staff, piano):
    ObiettivoFactory(piano=piano, anno_da=2025, anno_a=2027)
    client.force_login(staff)
    response = client.post(
        reverse("piani:modifica", args=[piano.pk]),
        {"titolo": piano.titolo, "anno_inizio": 2026},
    )
    assert "fall outside the new years" in response.content.decode()
    piano.refresh_from_db()
    assert piano.anno_inizio == 2025


# --- the working page -------------------------------------------------------------------------


def test_working_page_shows_the_cycle_the_document_and_the_versions(client, sindaco, staff, piano):
    fase = piano.fasi.get(numero=1)
    fase.completata_il = datetime.date(2024, 10, 1)
    fase.responsabile = "Assemblea dei Sindaci"
    fase.save()
    fase2 = piano.fasi.get(numero=2)
    fase2.inizio, fase2.fine = datetime.date(2024, 11, 1), datetime.date(2024, 11, 30)
    fase2.save()
    tavolo = TavoloFactory(ambito=piano.ambito, nome="Conferenza di piano Oglio Po")
    incontro = IncontroFactory(tavolo=tavolo, titolo="Seduta di apertura")
    avviso = AvvisoFactory(ambito=piano.ambito, titolo="Avviso adesione ETS")
    fase2.tavoli.add(tavolo)
    fase2.incontri.add(incontro)
    fase2.avvisi.add(avviso)
    congela_versione(piano, motivo=VersionePiano.Motivo.MANUALE, by=staff)
    client.force_login(sindaco)

    response = client.get(reverse("piani:piano", args=[piano.pk]))
    testo = response.content.decode()
    assert response.context["fase_corrente"] == fase2
    assert "done on 01/10/2024" in testo
    assert "Who: Assemblea dei Sindaci" in testo
    assert "From 01/11/2024 to 30/11/2024" in testo
    assert reverse("tavoli:tavolo", args=[tavolo.pk]) in testo
    assert reverse("tavoli:incontro", args=[incontro.pk]) in testo
    assert reverse("terzo_settore:avviso", args=[avviso.pk]) in testo
    # Sections: a snippet of the text as plain text, and what is not written yet.
    assert "Il sistema dei servizi dell&#x27;ambito Oglio Po." in testo
    assert "2 sections of 8 written" in testo
    assert "Not written yet." in testo
    assert "Version 1" in testo
    # A participant has no staff buttons.
    assert reverse("piani:modifica", args=[piano.pk]) not in testo
    assert reverse("piani:fase", args=[piano.pk, 1]) not in testo


def test_staff_see_their_buttons(client, staff, piano):
    client.force_login(staff)
    testo = client.get(reverse("piani:piano", args=[piano.pk])).content.decode()
    assert reverse("piani:modifica", args=[piano.pk]) in testo
    assert reverse("piani:fase", args=[piano.pk, 1]) in testo
    assert reverse("piani:sezione_modifica", args=[piano.pk, "a"]) in testo
    assert "Save a version now" in testo
    assert "Publish the approved plan" not in testo  # not approved yet


def test_an_approved_plan_says_changes_need_a_new_vote(client, staff, piano):
    approva(piano, staff)
    client.force_login(staff)
    testo = client.get(reverse("piani:piano", args=[piano.pk])).content.decode()
    assert "That version stays as it is" in testo
    assert "Publish the approved plan" in testo


# --- the public page --------------------------------------------------------------------------


@pytest.mark.italiano
def test_public_page_of_a_published_plan_shows_the_approved_version_and_exact_totals(
    client, ambito, staff, piano
):
    fnps, quote = fonte("fnps"), fonte("quote-comunali")
    for anno, f, importo in [
        (2025, fnps, "120000.10"),
        (2025, fnps, "0.25"),
        (2025, quote, "45678.90"),
        (2026, fnps, "118500.00"),
        (2027, quote, "47000.05"),
    ]:
        VoceBudgetFactory(piano=piano, anno=anno, fonte=f, previsto=Decimal(importo))
    VoceBudgetFactory(
        piano=piano, anno=2026, fonte=quote, previsto=Decimal("999.99"), rimosso_at=timezone.now()
    )
    versione = approva(piano, staff, pubblica=True)
    # What changes after the approval stays out of the public page.
    piano.sezioni.filter(lettera="a").update(testo="Bozza successiva, non approvata.")
    VoceBudgetFactory(piano=piano, anno=2025, fonte=fnps, previsto=Decimal("1000000.00"))

    testo = client.get(reverse("piani:piano", args=[piano.pk])).content.decode()
    assert "Il sistema dei servizi dell'ambito <strong>Oglio Po</strong>." in testo
    assert "Bozza successiva" not in testo
    # FNPS 2025 = 120000.10 + 0.25; 2025 = + 45678.90; total = all five lines.
    assert "€\xa0120.000,35" in testo
    assert "€\xa0165.679,25" in testo
    assert "€\xa047.000,05" in testo
    assert "€\xa0331.179,30" in testo
    assert "1.000.000" not in testo and "999,99" not in testo
    assert reverse("piani:versione_pdf", args=[versione.pk]) in testo


def test_public_page_links_the_accordo_once_approved_and_closed_consultations(client, staff, piano):
    versione = approva(piano, staff, pubblica=True)
    adesso = timezone.now()
    chiusa = Consultazione.objects.create(
        piano=piano,
        versione=versione,
        apre_at=adesso - datetime.timedelta(days=30),
        chiude_at=adesso - datetime.timedelta(days=1),
        aperta_da=staff,
    )
    aperta = Consultazione.objects.create(
        piano=piano,
        versione=versione,
        apre_at=adesso - datetime.timedelta(days=1),
        chiude_at=adesso + datetime.timedelta(days=10),
        aperta_da=staff,
    )
    accordo = Accordo.objects.create(piano=piano, versione=versione, created_by=staff)
    url = reverse("piani:piano", args=[piano.pk])

    def link(nome, pk):
        return reverse(nome, args=[pk])

    testo = client.get(url).content.decode()
    assert link("piani:consultazione_report", chiusa.pk) in testo
    assert link("piani:consultazione_report", aperta.pk) not in testo
    assert link("piani:accordo_pdf", piano.pk) not in testo  # still being prepared

    accordo.stato = Accordo.Stato.APPROVATO
    accordo.save()
    assert link("piani:accordo_pdf", piano.pk) in client.get(url).content.decode()


def test_participants_can_look_at_the_public_page(client, sindaco, pubblicato):
    client.force_login(sindaco)
    url = reverse("piani:piano", args=[pubblicato.pk])
    assert "?vista=pubblica" in client.get(url).content.decode()
    response = client.get(url, {"vista": "pubblica"})
    assert "piani/piano/pubblico.html" in [t.name for t in response.templates]
    assert "Back to the working page" in response.content.decode()


def test_an_approved_plan_is_not_public_until_published(client, staff, piano):
    approva(piano, staff)
    assert client.get(reverse("piani:piano", args=[piano.pk])).status_code == 404


# --- publishing -------------------------------------------------------------------------------


def test_staff_publish_an_approved_plan(client, staff, piano):
    approva(piano, staff)
    client.force_login(staff)
    response = client.post(reverse("piani:pubblica", args=[piano.pk]), follow=True)
    piano.refresh_from_db()
    assert piano.pubblicato_at is not None
    assert "The plan is published" in response.content.decode()
    assert AuditLog.objects.filter(action="piano.pubblicato", user=staff).exists()


def test_a_draft_cannot_be_published(client, staff, piano):
    client.force_login(staff)
    response = client.post(reverse("piani:pubblica", args=[piano.pk]), follow=True)
    assert "Only an approved plan can be published." in response.content.decode()
    piano.refresh_from_db()
    assert piano.pubblicato_at is None


def test_publishing_needs_post(client, staff, piano):
    approva(piano, staff)
    client.force_login(staff)
    assert client.get(reverse("piani:pubblica", args=[piano.pk])).status_code == 405


# --- phases -----------------------------------------------------------------------------------


def test_staff_plan_a_phase(client, staff, ambito, altro_ambito, piano):
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani")
    condiviso = TavoloFactory(ambito=altro_ambito, nome="Tavolo provinciale")
    condiviso.ambiti_coinvolti.add(ambito)
    estraneo = TavoloFactory(ambito=altro_ambito, nome="Tavolo di un altro ambito")
    incontro = IncontroFactory(tavolo=tavolo)
    incontro_estraneo = IncontroFactory(tavolo=estraneo)
    avviso = AvvisoFactory(ambito=ambito)
    avviso_estraneo = AvvisoFactory(ambito=altro_ambito)
    client.force_login(staff)
    url = reverse("piani:fase", args=[piano.pk, 4])

    form = client.get(url).context["form"]
    assert set(form.fields["tavoli"].queryset) == {tavolo, condiviso}
    assert list(form.fields["incontri"].queryset) == [incontro]
    assert list(form.fields["avvisi"].queryset) == [avviso]

    response = client.post(
        url,
        {
            "inizio": "2025-01-10",
            "fine": "2025-03-31",
            "responsabile": "Ufficio di Piano",
            "note": "Schede di rilevazione agli ETS.",
            "completata_il": "2025-03-28",
            "tavoli": [tavolo.pk],
            "incontri": [incontro.pk],
            "avvisi": [avviso.pk],
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("piani:piano", args=[piano.pk]) + "#fase-4"
    fase = piano.fasi.get(numero=4)
    assert (fase.inizio, fase.fine, fase.completata_il) == (
        datetime.date(2025, 1, 10),
        datetime.date(2025, 3, 31),
        datetime.date(2025, 3, 28),
    )
    assert list(fase.tavoli.all()) == [tavolo]
    assert list(fase.incontri.all()) == [incontro]
    assert list(fase.avvisi.all()) == [avviso]
    assert AuditLog.objects.filter(action="piano.fase_completata", data={"fase": 4}).exists()

    # What belongs to another ambito cannot be linked.
    response = client.post(
        url,
        {"incontri": [incontro_estraneo.pk], "avvisi": [avviso_estraneo.pk]},
    )
    assert set(response.context["form"].errors) == {"incontri", "avvisi"}


def test_a_phase_cannot_end_before_it_starts(client, staff, piano):
    client.force_login(staff)
    response = client.post(
        reverse("piani:fase", args=[piano.pk, 2]), {"inizio": "2025-03-01", "fine": "2025-02-01"}
    )
    assert response.context["form"].errors["fine"] == ["The phase cannot end before it starts."]
    assert piano.fasi.get(numero=2).inizio is None


def test_a_phase_that_does_not_exist(client, staff, piano):
    client.force_login(staff)
    assert client.get(reverse("piani:fase", args=[piano.pk, 10])).status_code == 404


# --- sections ---------------------------------------------------------------------------------

XSS = (
    "Testo della sezione.\n\n<script>alert('x')</script>\n\n"
    "[clicca qui](javascript:alert('y')) e <img src=x onerror=alert('z')>"
)


def _senza_script(testo):
    assert "<script>alert" not in testo
    assert "javascript:alert" not in testo
    assert not re.search(r"<img[^>]*onerror", testo)


def test_section_text_is_sanitised_everywhere(client, staff, sindaco, piano):
    piano.sezioni.filter(lettera="c").update(testo=XSS)
    versione = approva(piano, staff, pubblica=True)
    client.force_login(sindaco)
    for url in (
        reverse("piani:sezione", args=[piano.pk, "c"]),
        reverse("piani:piano", args=[piano.pk]),
        reverse("piani:versione", args=[versione.pk]),
    ):
        testo = client.get(url).content.decode()
        assert "Testo della sezione." in testo
        _senza_script(testo)
    client.logout()
    testo = client.get(reverse("piani:piano", args=[piano.pk])).content.decode()
    assert "Testo della sezione." in testo
    _senza_script(testo)


def test_section_preview_is_sanitised_and_not_saved(client, staff, piano):
    client.force_login(staff)
    url = reverse("piani:sezione_modifica", args=[piano.pk, "c"])
    letta_at = client.get(url).context["form"]["letta_at"].value()
    response = client.post(
        url, {"testo": XSS + "\n\n**grassetto**", "letta_at": letta_at, "anteprima": "1"}
    )
    assert response.status_code == 200
    anteprima = str(response.context["anteprima"])
    assert "<strong>grassetto</strong>" in anteprima
    _senza_script(anteprima)
    # The textarea keeps what was typed (escaped), nothing is saved.
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in response.content.decode()
    assert piano.sezioni.get(lettera="c").testo == ""


def test_staff_write_a_section(client, staff, piano):
    client.force_login(staff)
    url = reverse("piani:sezione_modifica", args=[piano.pk, "d"])
    letta_at = client.get(url).context["form"]["letta_at"].value()
    response = client.post(url, {"testo": "I dati SIUSS.", "letta_at": letta_at}, follow=True)
    sezione = piano.sezioni.get(lettera="d")
    assert (sezione.testo, sezione.updated_by) == ("I dati SIUSS.", staff)
    assert response.redirect_chain[-1][0] == reverse("piani:sezione", args=[piano.pk, "d"])
    assert "Section d) has been saved." in response.content.decode()
    assert "by Chiara Bertoldi" in response.content.decode()
    assert AuditLog.objects.filter(
        action="piano.sezione_modificata", user=staff, data={"sezione": "d"}
    ).exists()


def test_a_section_saved_meanwhile_by_somebody_else_is_not_overwritten(
    client, staff, coordinatore, piano
):
    client.force_login(staff)
    url = reverse("piani:sezione_modifica", args=[piano.pk, "b"])
    letta_at = client.get(url).context["form"]["letta_at"].value()
    sezione = piano.sezioni.get(lettera="b")
    sezione.testo, sezione.updated_by = "Scritto da Paolo.", coordinatore
    sezione.save()
    response = client.post(url, {"testo": "Scritto da Chiara.", "letta_at": letta_at})
    assert response.status_code == 200
    assert "Paolo Ghidetti saved this section after you opened it" in response.content.decode()
    assert piano.sezioni.get(lettera="b").testo == "Scritto da Paolo."


def test_editing_an_approved_plan_warns_of_a_new_version(client, staff, piano):
    approva(piano, staff)
    client.force_login(staff)
    testo = client.get(reverse("piani:sezione_modifica", args=[piano.pk, "a"])).content.decode()
    assert "The plan is approved: version 1 stays as it is." in testo
    client.post(
        reverse("piani:sezione_modifica", args=[piano.pk, "a"]),
        {"testo": "Nuovo testo dopo l'approvazione."},
    )
    piano.refresh_from_db()
    assert piano.versione_approvata.contenuto["sezioni"][0]["testo"] == (
        "Il sistema dei servizi dell'ambito **Oglio Po**."
    )


def test_a_section_that_does_not_exist(client, staff, piano):
    client.force_login(staff)
    assert client.get(reverse("piani:sezione", args=[piano.pk, "z"])).status_code == 404


# --- attachments ------------------------------------------------------------------------------


def test_staff_attach_a_pdf_and_participants_download_it(client, staff, sindaco, piano):
    client.force_login(staff)
    response = client.post(
        reverse("piani:allegato_nuovo", args=[piano.pk]),
        {
            "titolo": "Mappa dei servizi",
            "file": SimpleUploadedFile("x.pdf", PDF, "application/pdf"),
        },
    )
    assert response.status_code == 302
    allegato = piano.allegati.get()
    assert (allegato.titolo, allegato.caricato_da) == ("Mappa dei servizi", staff)
    assert allegato.file.name.endswith("mappa-dei-servizi.pdf")

    client.force_login(sindaco)
    assert (
        "Mappa dei servizi" in client.get(reverse("piani:piano", args=[piano.pk])).content.decode()
    )
    response = client.get(reverse("piani:allegato", args=[allegato.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF


def test_only_pdfs_are_attached(client, staff, piano):
    client.force_login(staff)
    response = client.post(
        reverse("piani:allegato_nuovo", args=[piano.pk]),
        {"titolo": "Foglio", "file": SimpleUploadedFile("x.pdf", b"PK\x03\x04 not a pdf")},
    )
    assert "is not a PDF document" in response.content.decode()
    assert not piano.allegati.exists()


def test_removing_an_attachment_asks_first_and_keeps_the_file(client, staff, sindaco, piano):
    allegato = allegato_di(piano, staff)
    client.force_login(staff)
    url = reverse("piani:allegato_rimuovi", args=[allegato.pk])
    assert "Remove “Mappa dei servizi” from the plan?" in client.get(url).content.decode()
    allegato.refresh_from_db()
    assert allegato.rimosso_at is None

    response = client.post(url, follow=True)
    assert "has been removed from the plan" in response.content.decode()
    allegato.refresh_from_db()
    assert allegato.rimosso_at is not None
    assert Allegato.objects.filter(pk=allegato.pk).exists()
    assert (
        "Mappa dei servizi"
        not in client.get(reverse("piani:piano", args=[piano.pk])).content.decode()
    )
    # The staff can still open it; participants no longer.
    assert client.get(reverse("piani:allegato", args=[allegato.pk])).status_code == 200
    client.force_login(sindaco)
    assert client.get(reverse("piani:allegato", args=[allegato.pk])).status_code == 404
