"""The schede obiettivo: the list with its filters and CSV, the scheda, creating, editing and
removing objectives, actions and indicators, and recording the yearly values."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from ambiti.models import AreaUtenza, Ente
from pdz.models import AuditLog
from piani.models import Azione, Indicatore, Leps, Misurazione, Obiettivo
from tavoli.models import AreaPolicy
from tests.ambiti.factories import AmbitoFactory, EnteFactory
from tests.piani.factories import (
    AzioneFactory,
    IndicatoreFactory,
    ObiettivoFactory,
    VoceBudgetFactory,
    fonte,
    piano_con_sezioni,
)
from tests.tavoli.factories import TavoloFactory
from tests.terzo_settore.factories import AvvisoFactory


@pytest.fixture
def piano(ambito, staff):
    return piano_con_sezioni(ambito, by=staff)


@pytest.fixture
def riferimenti(ambito):
    """Reference data of the ambito and, to be refused, of another one."""
    altro = AmbitoFactory()
    return {
        "area_policy": AreaPolicy.objects.create(nome="Cura e domiciliarità", ambito=None),
        "area_policy_altra": AreaPolicy.objects.create(nome="Area altrui", ambito=altro),
        "anziani": AreaUtenza.objects.create(nome="Anziani", ambito=None, ordine=1),
        "disabili": AreaUtenza.objects.create(nome="Disabili", ambito=None, ordine=2),
        "area_altrui": AreaUtenza.objects.create(nome="Area di un altro ambito", ambito=altro),
        "leps": Leps.objects.filter(ambito=None).order_by("ordine").first(),
        "asst": EnteFactory(denominazione="ASST di Cremona", ambiti=[ambito]),
        "ente_altrui": EnteFactory(denominazione="Comune lontano", ambiti=[altro]),
        "tavolo": TavoloFactory(ambito=ambito, nome="Tavolo anziani"),
        "tavolo_altrui": TavoloFactory(ambito=altro, nome="Tavolo altrui"),
        "avviso": AvvisoFactory(ambito=ambito, titolo="Coprogettazione SAD"),
        "avviso_altrui": AvvisoFactory(ambito=altro, titolo="Avviso altrui"),
    }


def dati_obiettivo(r, **extra):
    dati = {
        "codice": "OB1",
        "titolo": "Rafforzare la domiciliarità",
        "area_policy": r["area_policy"].pk,
        "aree_utenza": [r["anziani"].pk],
        "bisogno": "Anziani soli lontano dai servizi.",
        "risultati_attesi": "Più ore di SAD.",
        "leps": [r["leps"].pk],
        "responsabile": "Ufficio di Piano",
        "enti": [r["asst"].pk],
        "tavoli": [r["tavolo"].pk],
        "anno_da": "2025",
        "anno_a": "2026",
        "ordine": "",
    }
    dati.update(extra)
    return dati


def errori(response):
    return response.context["form"].errors


# --- objectives ---------------------------------------------------------------------------


def test_staff_add_an_objective_and_read_its_scheda(client, staff, piano, riferimenti):
    client.force_login(staff)
    response = client.post(
        reverse("piani:obiettivo_nuovo", args=[piano.pk]), dati_obiettivo(riferimenti)
    )

    obiettivo = Obiettivo.objects.get(piano=piano)
    assert response.status_code == 302
    assert response["Location"] == reverse("piani:obiettivo", args=[obiettivo.pk])
    assert (obiettivo.codice, obiettivo.anno_da, obiettivo.anno_a) == ("OB1", 2025, 2026)
    assert obiettivo.ordine == 1
    assert list(obiettivo.aree_utenza.all()) == [riferimenti["anziani"]]
    assert list(obiettivo.tavoli.all()) == [riferimenti["tavolo"]]
    assert AuditLog.objects.filter(action="piano.obiettivo_creato", user=staff).count() == 1

    html = client.get(response["Location"]).content.decode()
    for testo in [
        "Rafforzare la domiciliarità",
        "Cura e domiciliarità",
        "Anziani",
        "Anziani soli lontano dai servizi.",
        "Più ore di SAD.",
        riferimenti["leps"].nome,
        "ASST di Cremona",
        "Tavolo anziani",
        "2025–2026",
    ]:
        assert testo in html
    assert 'id="anno-2025"' in html and 'id="anno-2026"' in html and 'id="anno-2027"' not in html


def test_choices_are_those_of_the_plans_ambito(client, staff, piano, riferimenti):
    client.force_login(staff)
    url = reverse("piani:obiettivo_nuovo", args=[piano.pk])
    form = client.get(url).context["form"]
    assert riferimenti["area_altrui"] not in form.fields["aree_utenza"].queryset
    assert riferimenti["tavolo_altrui"] not in form.fields["tavoli"].queryset
    assert riferimenti["ente_altrui"] not in form.fields["enti"].queryset
    assert riferimenti["area_policy_altra"] not in form.fields["area_policy"].queryset

    response = client.post(
        url,
        dati_obiettivo(
            riferimenti,
            area_policy=riferimenti["area_policy_altra"].pk,
            aree_utenza=[riferimenti["area_altrui"].pk],
            enti=[riferimenti["ente_altrui"].pk],
            tavoli=[riferimenti["tavolo_altrui"].pk],
        ),
    )
    assert response.status_code == 200
    assert set(errori(response)) == {"area_policy", "aree_utenza", "enti", "tavoli"}
    assert not Obiettivo.objects.exists()


@pytest.mark.parametrize(
    ("campi", "campo", "messaggio"),
    [
        ({"anno_da": "2027", "anno_a": "2025"}, "anno_a", "cannot come before"),
        ({"anno_da": "2024"}, "anno_da", "Choose a year from 2025 to 2027."),
        ({"anno_a": "2028"}, "anno_a", "Choose a year from 2025 to 2027."),
        ({"codice": "ob1"}, "codice", "Another objective of the plan has this code."),
        ({"codice": ""}, "codice", "required"),
    ],
)
def test_objective_errors_next_to_their_fields(
    client, staff, piano, riferimenti, campi, campo, messaggio
):
    ObiettivoFactory(piano=piano, codice="OB1")
    client.force_login(staff)
    response = client.post(
        reverse("piani:obiettivo_nuovo", args=[piano.pk]),
        dati_obiettivo(riferimenti, **campi),
    )
    assert response.status_code == 200
    assert messaggio in " ".join(errori(response)[campo])
    assert 'class="invalid-feedback' in response.content.decode()


def test_code_of_a_removed_objective_can_be_used_again(client, staff, piano, riferimenti):
    vecchio = ObiettivoFactory(piano=piano, codice="OB1")
    client.force_login(staff)
    client.post(reverse("piani:obiettivo_rimuovi", args=[vecchio.pk]))
    response = client.post(
        reverse("piani:obiettivo_nuovo", args=[piano.pk]), dati_obiettivo(riferimenti)
    )
    assert response.status_code == 302
    assert piano.obiettivi.filter(codice="OB1").count() == 2


def test_edit_keeps_the_years_of_its_actions(client, staff, piano, riferimenti):
    obiettivo = ObiettivoFactory(piano=piano, codice="OB1", anno_da=2025, anno_a=2027)
    AzioneFactory(obiettivo=obiettivo, anno=2027)
    client.force_login(staff)
    url = reverse("piani:obiettivo_modifica", args=[obiettivo.pk])
    response = client.post(url, dati_obiettivo(riferimenti, anno_da="2025", anno_a="2026"))
    assert response.status_code == 200
    assert "2027" in " ".join(errori(response)["anno_a"])

    response = client.post(url, dati_obiettivo(riferimenti, titolo="Nuovo titolo", anno_a="2027"))
    assert response.status_code == 302
    obiettivo.refresh_from_db()
    assert obiettivo.titolo == "Nuovo titolo"
    assert AuditLog.objects.filter(action="piano.obiettivo_modificato").count() == 1


def test_remove_an_objective_after_confirmation(client, staff, piano):
    obiettivo = ObiettivoFactory(piano=piano, codice="OB7", titolo="Da togliere")
    azione = AzioneFactory(obiettivo=obiettivo)
    indicatore = IndicatoreFactory(obiettivo=obiettivo)
    client.force_login(staff)
    url = reverse("piani:obiettivo_rimuovi", args=[obiettivo.pk])

    pagina = client.get(url)
    assert "Remove the objective" in pagina.content.decode()
    obiettivo.refresh_from_db()
    assert obiettivo.rimosso_at is None  # a GET changes nothing

    response = client.post(url)
    assert response["Location"] == reverse("piani:obiettivi", args=[piano.pk])
    for oggetto in (obiettivo, azione, indicatore):
        oggetto.refresh_from_db()
        assert oggetto.rimosso_at is not None
    assert client.get(reverse("piani:obiettivo", args=[obiettivo.pk])).status_code == 404
    assert "Da togliere" not in client.get(response["Location"]).content.decode()


def test_an_objective_with_budget_lines_is_not_removed(client, staff, piano):
    obiettivo = ObiettivoFactory(piano=piano)
    VoceBudgetFactory(piano=piano, obiettivo=obiettivo, fonte=fonte("fnps"))
    client.force_login(staff)
    url = reverse("piani:obiettivo_rimuovi", args=[obiettivo.pk])
    assert "A budget line is tied to the objective" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "A budget line is tied to the objective" in response.content.decode()
    obiettivo.refresh_from_db()
    assert obiettivo.rimosso_at is None


# --- the list -----------------------------------------------------------------------------


def test_list_filters_by_policy_area_and_target_group_and_exports_csv(
    client, sindaco, piano, riferimenti
):
    uno = ObiettivoFactory(piano=piano, codice="OB1", titolo="Domiciliarità", ordine=1)
    uno.area_policy = riferimenti["area_policy"]
    uno.save()
    uno.aree_utenza.add(riferimenti["anziani"])
    due = ObiettivoFactory(piano=piano, codice="OB2", titolo="Inclusione lavorativa", ordine=2)
    due.aree_utenza.add(riferimenti["disabili"])
    AzioneFactory(obiettivo=uno)
    AzioneFactory(obiettivo=uno)
    VoceBudgetFactory(piano=piano, obiettivo=uno, fonte=fonte("fnps"), previsto=Decimal("0.10"))
    VoceBudgetFactory(piano=piano, obiettivo=uno, fonte=fonte("fnps"), previsto=Decimal("0.20"))
    client.force_login(sindaco)
    url = reverse("piani:obiettivi", args=[piano.pk])

    html = client.get(url).content.decode()
    assert "Domiciliarità" in html and "Inclusione lavorativa" in html

    html = client.get(url, {"area_policy": riferimenti["area_policy"].pk}).content.decode()
    assert "Domiciliarità" in html and "Inclusione lavorativa" not in html

    html = client.get(url, {"area_utenza": riferimenti["disabili"].pk}).content.decode()
    assert "Domiciliarità" not in html and "Inclusione lavorativa" in html

    response = client.get(url, {"format": "csv"})
    righe = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert righe[0][:2] == ["Code", "Title"]
    assert righe[1][0] == "OB1"
    assert righe[1][7] == "2"  # actions
    assert righe[1][9] == "0,30"  # planned: 0.10 + 0.20
    assert righe[2][0] == "OB2"


# --- actions ------------------------------------------------------------------------------


def test_actions_per_year_with_table_and_notice_of_the_ambito(client, staff, piano, riferimenti):
    obiettivo = ObiettivoFactory(piano=piano, anno_da=2025, anno_a=2026)
    client.force_login(staff)
    url = reverse("piani:azione_nuova", args=[obiettivo.pk])
    dati = {
        "anno": "2026",
        "titolo": "Sportello badanti",
        "descrizione": "Uno sportello per le famiglie.",
        "responsabile": "Servizio sociale",
        "tavolo": riferimenti["tavolo"].pk,
        "avviso": riferimenti["avviso"].pk,
    }
    response = client.post(url, dati)
    assert response.status_code == 302
    assert response["Location"].endswith("#anno-2026")
    azione = Azione.objects.get(obiettivo=obiettivo)
    assert (azione.anno, azione.tavolo, azione.avviso) == (
        2026,
        riferimenti["tavolo"],
        riferimenti["avviso"],
    )
    html = client.get(reverse("piani:obiettivo", args=[obiettivo.pk])).content.decode()
    assert "Sportello badanti" in html and "Coprogettazione SAD" in html

    # a year outside the objective's, a table or a notice of another ambito
    for campo, valore in [
        ("anno", "2027"),
        ("tavolo", riferimenti["tavolo_altrui"].pk),
        ("avviso", riferimenti["avviso_altrui"].pk),
    ]:
        response = client.post(url, {**dati, campo: valore})
        assert response.status_code == 200
        assert list(errori(response)) == [campo]
    assert Azione.objects.count() == 1


def test_edit_and_remove_an_action(client, staff, piano):
    obiettivo = ObiettivoFactory(piano=piano)
    azione = AzioneFactory(obiettivo=obiettivo, anno=2025, titolo="Vecchio titolo")
    client.force_login(staff)
    response = client.post(
        reverse("piani:azione_modifica", args=[azione.pk]),
        {"anno": "2025", "titolo": "Nuovo titolo"},
    )
    assert response.status_code == 302
    azione.refresh_from_db()
    assert azione.titolo == "Nuovo titolo"

    url = reverse("piani:azione_rimuovi", args=[azione.pk])
    assert "Remove the action" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "The action “Nuovo titolo” has been removed." in response.content.decode()
    azione.refresh_from_db()
    assert azione.rimosso_at is not None
    html = client.get(reverse("piani:obiettivo", args=[obiettivo.pk])).content.decode()
    assert "Nuovo titolo" not in html


def test_an_action_with_budget_lines_keeps_its_year_and_stays(client, staff, piano):
    obiettivo = ObiettivoFactory(piano=piano)
    azione = AzioneFactory(obiettivo=obiettivo, anno=2025)
    VoceBudgetFactory(
        piano=piano, obiettivo=obiettivo, azione=azione, anno=2025, fonte=fonte("fnps")
    )
    client.force_login(staff)
    response = client.post(
        reverse("piani:azione_modifica", args=[azione.pk]), {"anno": "2026", "titolo": "X"}
    )
    assert "Budget lines of 2025 are tied to the action" in " ".join(errori(response)["anno"])
    client.post(reverse("piani:azione_rimuovi", args=[azione.pk]))
    azione.refresh_from_db()
    assert azione.rimosso_at is None


# --- indicators and measurements ----------------------------------------------------------


def test_indicator_amounts_typed_the_italian_way(client, staff, piano):
    obiettivo = ObiettivoFactory(piano=piano)
    client.force_login(staff)
    response = client.post(
        reverse("piani:indicatore_nuovo", args=[obiettivo.pk]),
        {
            "nome": "Ore di assistenza domiciliare",
            "tipo": "output",
            "unita": "ore",
            "baseline": "1.234,5",
            "target": "2.000",
        },
    )
    assert response.status_code == 302
    indicatore = Indicatore.objects.get(obiettivo=obiettivo)
    assert indicatore.baseline == Decimal("1234.50")
    assert indicatore.target == Decimal("2000.00")

    form = client.get(reverse("piani:indicatore_modifica", args=[indicatore.pk])).content.decode()
    assert 'value="1.234,5"' in form and 'value="2.000"' in form

    response = client.post(
        reverse("piani:indicatore_modifica", args=[indicatore.pk]),
        {"nome": "Ore", "tipo": "output", "unita": "ore", "baseline": "abc", "target": "1,234"},
    )
    assert "Write a number such as 1.234,5." in errori(response)["baseline"]
    assert errori(response)["target"]  # three decimals


def test_remove_an_indicator(client, staff, piano):
    indicatore = IndicatoreFactory(obiettivo=ObiettivoFactory(piano=piano), nome="Da togliere")
    client.force_login(staff)
    response = client.post(reverse("piani:indicatore_rimuovi", args=[indicatore.pk]), follow=True)
    assert "The indicator “Da togliere” has been removed." in response.content.decode()
    indicatore.refresh_from_db()
    assert indicatore.rimosso_at is not None
    html = client.get(reverse("piani:monitoraggio", args=[piano.pk])).content.decode()
    assert "Da togliere" not in html


def test_record_the_values_of_every_year_in_one_go(client, staff, piano):
    indicatore = IndicatoreFactory(obiettivo=ObiettivoFactory(piano=piano))
    client.force_login(staff)
    url = reverse("piani:misurazioni", args=[indicatore.pk])
    response = client.post(
        url,
        {
            "valore_2025": "1.234,5",
            "note_2025": "dato ISTAT",
            "valore_2026": "1300",
            "valore_2027": "",
        },
    )
    assert response.status_code == 302
    valori = {m.anno: (m.valore, m.note) for m in Misurazione.objects.filter(indicatore=indicatore)}
    assert valori == {2025: (Decimal("1234.50"), "dato ISTAT"), 2026: (Decimal("1300.00"), "")}

    # again: one value changed, one cleared; the same rows are updated, the cleared one kept
    client.post(url, {"valore_2025": "1.234,5", "note_2025": "dato ISTAT", "valore_2027": "7"})
    valori = {
        m.anno: m.valore
        for m in Misurazione.objects.filter(indicatore=indicatore, rimossa_at__isnull=True)
    }
    assert valori == {2025: Decimal("1234.50"), 2027: Decimal("7.00")}
    tolta = Misurazione.objects.get(indicatore=indicatore, anno=2026)
    assert tolta.valore == Decimal("1300.00") and tolta.rimossa_at is not None
    log = AuditLog.objects.filter(action="piano.misurazioni").order_by("pk")
    assert [x["anno"] for x in log.last().data["valori"]] == [2026, 2027]
    assert log.last().data["valori"][0] == {"anno": 2026, "da": "1300.00", "a": None}

    # a value entered again for the cleared year brings its row back
    client.post(
        url,
        {"valore_2025": "1.234,5", "note_2025": "dato ISTAT", "valore_2026": "1.350",
         "valore_2027": "7"},
    )  # fmt: skip
    tolta.refresh_from_db()
    assert tolta.valore == Decimal("1350.00") and tolta.rimossa_at is None

    form = client.get(url).content.decode()
    assert 'value="1.234,5"' in form

    response = client.post(url, {"note_2026": "senza valore"})
    assert "A note needs a value." in errori(response)["valore_2026"]


def test_removed_objects_are_not_found(client, staff, piano):
    obiettivo = ObiettivoFactory(piano=piano)
    azione = AzioneFactory(obiettivo=obiettivo)
    indicatore = IndicatoreFactory(obiettivo=obiettivo)
    client.force_login(staff)
    client.post(reverse("piani:obiettivo_rimuovi", args=[obiettivo.pk]))
    for nome, pk in [
        ("piani:obiettivo_modifica", obiettivo.pk),
        ("piani:azione_modifica", azione.pk),
        ("piani:indicatore_modifica", indicatore.pk),
        ("piani:misurazioni", indicatore.pk),
    ]:
        assert client.get(reverse(nome, args=[pk])).status_code == 404


def test_staff_of_the_ambito_see_an_approved_plan_warning(client, staff, piano, riferimenti):
    piano.stato = piano.Stato.APPROVATO
    piano.save()
    client.force_login(staff)
    html = client.get(reverse("piani:obiettivo_nuovo", args=[piano.pk])).content.decode()
    assert "The mayors approved a version of this plan" in html


def test_entities_list_only_active_parties_of_the_ambito(client, staff, piano, ambito):
    spento = EnteFactory(denominazione="Ente chiuso", ambiti=[ambito])
    Ente.objects.filter(pk=spento.pk).update(attivo=False)
    client.force_login(staff)
    form = client.get(reverse("piani:obiettivo_nuovo", args=[piano.pk])).context["form"]
    nomi = {e.denominazione for e in form.fields["enti"].queryset}
    assert "Ente chiuso" not in nomi
    assert "Comune di Casalmaggiore" in nomi
