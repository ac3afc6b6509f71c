"""Budget lines (adding, validating, editing, removing) and the ambito's funding sources."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pdz.models import AuditLog
from piani.models import FonteFinanziamento, VoceBudget
from tests.ambiti.factories import AmbitoFactory
from tests.piani.factories import (
    AzioneFactory,
    FonteFactory,
    ObiettivoFactory,
    VoceBudgetFactory,
    fonte,
    piano_con_sezioni,
)


@pytest.fixture
def piano(ambito, staff):
    return piano_con_sezioni(ambito, by=staff)


@pytest.fixture
def ob(piano):
    """Two objectives: OB1 all three years with an action in 2025, OB2 in 2025 only."""
    ob1 = ObiettivoFactory(piano=piano, codice="OB1", titolo="Domiciliarità")
    ob2 = ObiettivoFactory(piano=piano, codice="OB2", titolo="Lavoro", anno_da=2025, anno_a=2025)
    return {
        "ob1": ob1,
        "ob2": ob2,
        "sad": AzioneFactory(obiettivo=ob1, anno=2025, titolo="Potenziamento SAD"),
        "tirocini": AzioneFactory(obiettivo=ob2, anno=2025, titolo="Tirocini"),
    }


def dati_voce(**extra):
    dati = {
        "anno": "2025",
        "fonte": fonte("fnps").pk,
        "obiettivo": "",
        "azione": "",
        "tipo_spesa": "servizi",
        "descrizione": "Segretariato sociale",
        "previsto": "1.234,56",
        "impegnato": "",
        "speso": "",
    }
    dati.update(extra)
    return dati


def errori(response):
    return response.context["form"].errors


def test_staff_add_a_line_with_italian_amounts(client, staff, piano, ob):
    client.force_login(staff)
    response = client.post(
        reverse("piani:voce_nuova", args=[piano.pk]),
        dati_voce(
            obiettivo=ob["ob1"].pk,
            azione=ob["sad"].pk,
            previsto="12.500,00",
            impegnato="13.000",  # more than planned: allowed
            speso="€ 999,99",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("piani:budget", args=[piano.pk])
    voce = VoceBudget.objects.get(piano=piano)
    assert (voce.previsto, voce.impegnato, voce.speso) == (
        Decimal("12500.00"),
        Decimal("13000.00"),
        Decimal("999.99"),
    )
    assert (voce.obiettivo, voce.azione) == (ob["ob1"], ob["sad"])
    log = AuditLog.objects.get(action="piano.voce_creata")
    assert log.data["previsto"] == "12500.00"


def test_blank_committed_and_spent_are_zero(client, staff, piano):
    client.force_login(staff)
    client.post(reverse("piani:voce_nuova", args=[piano.pk]), dati_voce())
    voce = VoceBudget.objects.get()
    assert (voce.previsto, voce.impegnato, voce.speso) == (
        Decimal("1234.56"),
        Decimal("0"),
        Decimal("0"),
    )
    assert voce.obiettivo is None


@pytest.mark.parametrize(
    ("campi", "campo", "messaggio"),
    [
        ({"previsto": "-1"}, "previsto", "An amount cannot be negative."),
        ({"speso": "-0,01"}, "speso", "An amount cannot be negative."),
        ({"previsto": "dieci"}, "previsto", "Write an amount such as 1.234,56."),
        ({"previsto": ""}, "previsto", "required"),
        ({"anno": "2028"}, "anno", "Choose a year of the plan."),
        ({"azione": "sad"}, "obiettivo", "Choose the objective of the action"),
        ({"obiettivo": "ob2", "azione": "sad"}, "azione", "belongs to another objective: OB1"),
        ({"obiettivo": "ob1", "azione": "sad", "anno": "2026"}, "azione", "planned for 2025"),
        ({"obiettivo": "ob2", "anno": "2026"}, "anno", "OB2 runs from 2025 to 2025"),
    ],
)
def test_line_errors_next_to_their_fields(client, staff, piano, ob, campi, campo, messaggio):
    campi = {k: ob[v].pk if v in ob else v for k, v in campi.items()}
    client.force_login(staff)
    response = client.post(reverse("piani:voce_nuova", args=[piano.pk]), dati_voce(**campi))
    assert response.status_code == 200
    assert messaggio in " ".join(errori(response)[campo])
    assert not VoceBudget.objects.exists()


def test_sources_are_the_shared_ones_and_the_ambitos_active_ones(client, staff, piano):
    propria = FonteFactory(ambito=piano.ambito, nome="Bando Cariplo")
    spenta = FonteFactory(ambito=piano.ambito, nome="Fondo chiuso", attiva=False)
    altrui = FonteFactory(ambito=AmbitoFactory(), nome="Fondo altrui")
    client.force_login(staff)
    url = reverse("piani:voce_nuova", args=[piano.pk])
    offerte = set(client.get(url).context["form"].fields["fonte"].queryset)
    assert propria in offerte and fonte("fna") in offerte
    assert spenta not in offerte and altrui not in offerte
    response = client.post(url, dati_voce(fonte=altrui.pk))
    assert "fonte" in errori(response)

    # a line keeps its source after the source is deactivated
    voce = VoceBudgetFactory(piano=piano, fonte=propria)
    FonteFinanziamento.objects.filter(pk=propria.pk).update(attiva=False)
    modifica = reverse("piani:voce_modifica", args=[voce.pk])
    assert propria in client.get(modifica).context["form"].fields["fonte"].queryset
    assert client.post(modifica, dati_voce(fonte=propria.pk)).status_code == 302


def test_edit_shows_amounts_the_italian_way_and_goes_back(client, staff, piano, ob):
    voce = VoceBudgetFactory(
        piano=piano, fonte=fonte("fnps"), previsto=Decimal("1234567.8"), impegnato=Decimal(0)
    )
    client.force_login(staff)
    url = reverse("piani:voce_modifica", args=[voce.pk])
    form = client.get(url).content.decode()
    assert 'value="1.234.567,80"' in form and 'value="0,00"' in form
    ritorno = reverse("piani:obiettivo", args=[ob["ob1"].pk])
    response = client.post(
        url,
        dati_voce(previsto="1.234.567,80", obiettivo=ob["ob1"].pk, next=ritorno),
    )
    assert response["Location"] == ritorno
    voce.refresh_from_db()
    assert voce.previsto == Decimal("1234567.80") and voce.obiettivo == ob["ob1"]

    # somewhere else than this site: back to the budget
    response = client.post(url, dati_voce(next="https://example.com/"))
    assert response["Location"] == reverse("piani:budget", args=[piano.pk])


def test_remove_a_line_after_confirmation(client, staff, piano):
    voce = VoceBudgetFactory(piano=piano, fonte=fonte("fnps"), descrizione="Da togliere")
    client.force_login(staff)
    url = reverse("piani:voce_rimuovi", args=[voce.pk])
    assert "Remove the budget line?" in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert "has been removed" in response.content.decode()
    voce.refresh_from_db()
    assert voce.rimosso_at is not None
    assert (
        "Da togliere" not in client.get(reverse("piani:budget", args=[piano.pk])).content.decode()
    )
    assert client.get(url).status_code == 404


def test_budget_filters(client, sindaco, piano, ob):
    VoceBudgetFactory(piano=piano, anno=2025, fonte=fonte("fnps"), descrizione="Riga A")
    VoceBudgetFactory(
        piano=piano,
        anno=2026,
        fonte=fonte("fna"),
        obiettivo=ob["ob1"],
        tipo_spesa="trasferimenti",
        descrizione="Riga B",
    )
    client.force_login(sindaco)
    url = reverse("piani:budget", args=[piano.pk])

    def righe(**filtri):
        html = client.get(url, filtri).content.decode()
        return {r for r in ("Riga A", "Riga B") if r in html}

    assert righe() == {"Riga A", "Riga B"}
    assert righe(anno="2026") == {"Riga B"}
    assert righe(fonte=fonte("fnps").pk) == {"Riga A"}
    assert righe(obiettivo=ob["ob1"].pk) == {"Riga B"}
    assert righe(obiettivo="-") == {"Riga A"}
    assert righe(tipo_spesa="trasferimenti") == {"Riga B"}
    assert righe(anno="2025", tipo_spesa="trasferimenti") == set()


# --- funding sources ----------------------------------------------------------------------


def test_staff_add_and_deactivate_a_source_of_the_ambito(client, staff, ambito, piano):
    client.force_login(staff)
    url = reverse("piani:fonti", args=[ambito.codice])
    html = client.get(url).content.decode()
    assert "Fondo nazionale politiche sociali (FNPS)" in html  # the shared list

    response = client.post(
        url, {"nome": "Bando  Fondazione Cariplo", "codice": "Bando-Cariplo", "tipo": "privata"}
    )
    assert response.status_code == 302
    propria = FonteFinanziamento.objects.get(ambito=ambito)
    assert (propria.nome, propria.codice, propria.attiva) == (
        "Bando Fondazione Cariplo",
        "bando-cariplo",
        True,
    )
    assert AuditLog.objects.filter(action="piano.fonte_creata").exists()

    # a code the shared list or the ambito already has is refused
    for codice in ("fnps", "bando-cariplo"):
        response = client.post(url, {"nome": "Altro", "codice": codice, "tipo": "privata"})
        assert "There is already a funding source with this code." in errori(response)["codice"]

    modifica = reverse("piani:fonte_modifica", args=[propria.pk])
    response = client.post(
        modifica, {"nome": "Bando Cariplo", "codice": "bando-cariplo", "tipo": "privata"}
    )
    assert response.status_code == 302
    propria.refresh_from_db()
    assert propria.attiva is False  # the box left unticked
    nuova = reverse("piani:voce_nuova", args=[piano.pk])
    assert propria not in client.get(nuova).context["form"].fields["fonte"].queryset


def test_shared_sources_and_other_ambitos_are_not_changed_here(
    client, staff, sindaco, staff_altro, ambito
):
    condivisa = reverse("piani:fonte_modifica", args=[fonte("fnps").pk])
    propria = FonteFactory(ambito=ambito)
    client.force_login(staff)
    assert client.get(condivisa).status_code == 403
    client.force_login(sindaco)
    assert client.get(reverse("piani:fonte_modifica", args=[propria.pk])).status_code == 403
    client.force_login(staff_altro)
    assert client.get(reverse("piani:fonte_modifica", args=[propria.pk])).status_code == 404
    assert client.get(reverse("piani:fonti", args=[ambito.codice])).status_code == 404
