"""Annual plans: one per year of the plan, showing that year's actions and budget lines;
once the plan is approved each is frozen and put to the Assemblea's vote like the plan."""

# The fixtures imported from the other modules are parameters of the tests below.
# ruff: noqa: F811

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from piani import tasks
from piani.models import PianoAttuativo
from piani.services.approvazione import (
    attuativo_di,
    metti_ai_voti_attuativo,
    registra_esito,
)
from tavoli.models import Votazione
from tavoli.services import chiudi_votazione
from tests.piani.factories import AzioneFactory, ObiettivoFactory, VoceBudgetFactory, fonte
from tests.piani.test_approvazione import (  # noqa: F401 (fixtures)
    GRANDI_SI,
    assemblea,
    metti,
    sindaci,
    votano,
)
from tests.piani.test_consultazione import (  # noqa: F401 (fixtures)
    GESTORI,
    LETTORI,
    aurora,
    caritas,
    login,
    membro,
    outsider,
    piano,
    referente_ammesso,
    tavolo_anziani,
)


@pytest.fixture
def contenuti(piano):
    """Two objectives with actions over the years; budget lines of 2026 summing by hand to
    planned 1.334,66 · committed 500,00 · spent 120,35."""
    ob1 = ObiettivoFactory(piano=piano, codice="OB1", titolo="Domiciliarità")
    ob2 = ObiettivoFactory(piano=piano, codice="OB2", titolo="Inclusione")
    rimosso = ObiettivoFactory(piano=piano, codice="OB9", rimosso_at=timezone.now())
    AzioneFactory(obiettivo=ob1, anno=2026, titolo="Assistenza domiciliare integrata")
    AzioneFactory(obiettivo=ob2, anno=2026, titolo="Tirocini di inclusione")
    AzioneFactory(obiettivo=ob1, anno=2025, titolo="Mappatura dei bisogni")
    AzioneFactory(obiettivo=ob1, anno=2026, titolo="Azione ritirata", rimosso_at=timezone.now())
    AzioneFactory(obiettivo=rimosso, anno=2026, titolo="Azione di obiettivo rimosso")
    fnps = fonte("fnps")
    VoceBudgetFactory(
        piano=piano, anno=2026, fonte=fnps, obiettivo=ob1, previsto=Decimal("1234.56"),
        impegnato=Decimal("500.00"), speso=Decimal("120.35"),
    )  # fmt: skip
    VoceBudgetFactory(piano=piano, anno=2026, fonte=fnps, obiettivo=ob2, previsto=Decimal("100.10"))
    VoceBudgetFactory(piano=piano, anno=2025, fonte=fnps, previsto=Decimal("99999.00"))
    VoceBudgetFactory(
        piano=piano, anno=2026, fonte=fnps, previsto=Decimal("5000"), rimosso_at=timezone.now()
    )
    return piano


@pytest.fixture
def approvato(contenuti, assemblea, staff, sindaci):
    votazione = metti(contenuti, assemblea, staff)
    votano(votazione, sindaci, GRANDI_SI)
    registra_esito(contenuti, by=staff)
    contenuti.refresh_from_db()
    return contenuti


def test_the_list_shows_the_three_years(client, contenuti, membro):
    client.force_login(membro)
    html = client.get(reverse("piani:attuativi", args=[contenuti.pk])).content.decode()
    for anno in (2025, 2026, 2027):
        assert reverse("piani:attuativo", args=[contenuti.pk, anno]) in html
    assert "1,334.66" in html  # 2026 planned
    assert "The plan is not approved yet" in html
    assert not PianoAttuativo.objects.exists()  # nothing is created by reading the list


def test_the_year_shows_its_live_actions_and_budget_with_exact_totals(client, contenuti, membro):
    client.force_login(membro)
    response = client.get(reverse("piani:attuativo", args=[contenuti.pk, 2026]))
    html = response.content.decode()
    assert "Assistenza domiciliare integrata" in html
    assert "Tirocini di inclusione" in html
    assert "Mappatura dei bisogni" not in html  # another year
    assert "Azione ritirata" not in html
    assert "Azione di obiettivo rimosso" not in html
    assert "data-n-azioni>2<" in html
    assert 'data-totale="previsto">€\xa01,334.66<' in html
    assert 'data-totale="impegnato">€\xa0500.00<' in html
    assert 'data-totale="speso">€\xa0120.35<' in html
    assert PianoAttuativo.objects.get().anno == 2026  # created on first use


def test_a_year_outside_the_plan_is_not_found(client, contenuti, membro):
    client.force_login(membro)
    assert client.get(reverse("piani:attuativo", args=[contenuti.pk, 2030])).status_code == 404
    with pytest.raises(OperazioneNonValida):
        attuativo_di(contenuti, 2030)


def test_the_annual_plan_waits_for_the_plan_to_be_approved(client, contenuti, assemblea, staff):
    client.force_login(staff)
    html = client.get(reverse("piani:attuativo", args=[contenuti.pk, 2026])).content.decode()
    assert "Freeze and open the vote" not in html
    response = client.post(
        reverse("piani:attuativo_approvazione", args=[contenuti.pk, 2026]),
        {"tavolo": assemblea.pk, "modalita": "palese"},
        follow=True,
    )
    assert "The plan must be approved before" in response.content.decode()
    assert not Votazione.objects.exists()


def test_annual_plan_approval_end_to_end(client, approvato, assemblea, staff, sindaci):
    client.force_login(staff)
    url = reverse("piani:attuativo", args=[approvato.pk, 2026])
    assert "Freeze and open the vote" in client.get(url).content.decode()
    chiude = (timezone.localtime() + timedelta(days=5)).strftime("%d/%m/%Y %H:%M")
    response = client.post(
        reverse("piani:attuativo_approvazione", args=[approvato.pk, 2026]),
        {"tavolo": assemblea.pk, "modalita": "online", "chiude_at": chiude},
    )
    assert response.status_code == 302
    attuativo = PianoAttuativo.objects.get(anno=2026)
    votazione = attuativo.votazione
    assert attuativo.stato == PianoAttuativo.Stato.VOTAZIONE
    assert votazione.oggetto == "Approval of the annual plan 2026 of the Piano di Zona 2025-2027"
    assert [a["titolo"] for a in attuativo.contenuto["azioni"]] == [
        "Assistenza domiciliare integrata",
        "Tirocini di inclusione",
    ]
    assert [v["previsto"] for v in attuativo.contenuto["budget"]] == ["1234.56", "100.10"]
    assert attuativo.contenuto["versione_piano"] == 1

    # A change of the draft after the freeze does not change what is voted.
    AzioneFactory(obiettivo=approvato.obiettivi.get(codice="OB1"), anno=2026, titolo="Aggiunta")
    html = client.get(url).content.decode()
    assert "Aggiunta" not in html
    assert "Text put to the vote" in html
    assert 'data-totale="previsto">€\xa01,334.66<' in html

    votano(votazione, sindaci, GRANDI_SI)
    response = client.post(reverse("piani:attuativo_esito", args=[approvato.pk, 2026]), follow=True)
    attuativo.refresh_from_db()
    votazione.refresh_from_db()
    assert attuativo.stato == PianoAttuativo.Stato.APPROVATO
    assert attuativo.approvato_il == timezone.localdate(votazione.chiusa_at)
    assert "The annual plan is approved." in response.content.decode()
    with pytest.raises(OperazioneNonValida, match="already approved"):
        metti_ai_voti_attuativo(attuativo, tavolo=assemblea, modalita="palese", by=staff)


def test_the_task_records_the_annual_plans_outcome(approvato, assemblea, staff, sindaci):
    attuativo = attuativo_di(approvato, 2027)
    with pytest.raises(OperazioneNonValida, match="nothing to approve"):
        metti_ai_voti_attuativo(attuativo, tavolo=assemblea, modalita="palese", by=staff)
    attuativo = attuativo_di(approvato, 2026)
    votazione = metti_ai_voti_attuativo(
        attuativo,
        tavolo=assemblea,
        modalita="online",
        chiude_at=timezone.now() + timedelta(hours=1),
        by=staff,
    )
    with pytest.raises(OperazioneNonValida, match="already open"):
        metti_ai_voti_attuativo(attuativo, tavolo=assemblea, modalita="palese", by=staff)
    votano(votazione, sindaci, {"Viadana": "contrario", "Casalmaggiore": "contrario"})
    chiudi_votazione(votazione, by=None)

    tasks.registra_esiti()
    tasks.registra_esiti()

    attuativo.refresh_from_db()
    assert attuativo.stato == PianoAttuativo.Stato.RESPINTO
    assert AuditLog.objects.filter(action="attuativo.respinto").count() == 1
    # Rejected: a new vote may be opened on the changed year.
    metti_ai_voti_attuativo(attuativo, tavolo=assemblea, modalita="palese", by=staff)
    attuativo.refresh_from_db()
    assert attuativo.stato == PianoAttuativo.Stato.VOTAZIONE


@pytest.mark.parametrize(("persona", "atteso"), LETTORI)
def test_who_reads_the_annual_plans(
    client, request, contenuti, membro, referente_ammesso, persona, atteso
):
    login(client, request, persona)
    assert client.get(reverse("piani:attuativi", args=[contenuti.pk])).status_code == atteso
    assert client.get(reverse("piani:attuativo", args=[contenuti.pk, 2026])).status_code == atteso


@pytest.mark.parametrize(("persona", "atteso"), GESTORI)
def test_who_puts_the_annual_plan_to_the_vote(
    client,
    request,
    approvato,
    assemblea,
    staff,
    sindaci,
    membro,
    referente_ammesso,
    persona,
    atteso,
):
    login(client, request, persona)
    response = client.post(
        reverse("piani:attuativo_approvazione", args=[approvato.pk, 2026]),
        {"tavolo": assemblea.pk, "modalita": "palese"},
    )
    assert response.status_code == (302 if atteso == 200 else atteso)
    response = client.post(reverse("piani:attuativo_esito", args=[approvato.pk, 2026]))
    assert response.status_code == (302 if atteso == 200 else atteso)
    assert PianoAttuativo.objects.filter(stato="votazione").exists() == (atteso == 200)


def test_the_year_page_does_not_grow_with_its_actions(client, contenuti, membro):
    client.force_login(membro)
    url = reverse("piani:attuativo", args=[contenuti.pk, 2026])
    client.get(url)  # creates the annual plan

    def conta():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    prima = conta()
    for _i in range(6):
        ob = ObiettivoFactory(piano=contenuti)
        azione = AzioneFactory(obiettivo=ob, anno=2026)
        VoceBudgetFactory(piano=contenuti, anno=2026, obiettivo=ob, azione=azione)
    assert conta() == prima
