"""The staff's summary of a survey's answers, its CSV export and the page of text answers."""

import csv
import io
import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambiti.models import AreaUtenza, Ente
from terzo_settore.models import Avviso, Domanda, Organizzazione, Quesito, Risposta
from tests.pdz.factories import UserFactory
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory, OrganizzazioneFactory

PERSONAS = ["anonymous", "alice", "referente", "commissario", "staff", "staff_altro", "sindaco"]
GET = {
    "anonymous": 302,
    "alice": 404,
    "referente": 403,
    "commissario": 404,
    "staff": 200,
    "staff_altro": 404,
    "sindaco": 403,
}
ROME = ZoneInfo("Europe/Rome")


@pytest.fixture
def commissario(db):
    return UserFactory(email="marco@example.org", full_name="Marco Valutatore")


@pytest.fixture
def anziani(db):
    return AreaUtenza.objects.create(nome="Anziani", ordine=1)


@pytest.fixture
def avviso(ambito, staff):
    return AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE, titolo="Scheda servizi")


@pytest.fixture
def quesiti(avviso, anziani):
    def q(ordine, tipo, testo, opzioni="", area=None):
        return Quesito.objects.create(
            avviso=avviso, ordine=ordine, tipo=tipo, testo=testo, opzioni=opzioni, area=area
        )

    return {
        "sede": q(0, Quesito.Tipo.SCELTA_SINGOLA, "Sede nel distretto?", "Sì\nNo"),
        "utenti": q(1, Quesito.Tipo.SCELTA_MULTIPLA, "Con chi lavorate?", "Anz\nMin\nDis"),
        "volontari": q(2, Quesito.Tipo.NUMERO, "Volontari attivi", area=anziani),
        "note": q(3, Quesito.Tipo.TESTO, "Osservazioni"),
    }


def domanda(avviso, nome, numero, stato=Domanda.Stato.INVIATA):
    return DomandaFactory(
        avviso=avviso,
        organizzazione=OrganizzazioneFactory(ente__denominazione=nome),
        stato=stato,
        protocollo_anno=2026 if numero else None,
        protocollo_numero=numero,
        inviata_at=datetime(2026, 3, numero or 1, 9, 30, tzinfo=ROME) if numero else None,
    )


@pytest.fixture
def risposte(avviso, quesiti):
    """Four submitted applications (one without answers) and a draft that must not count."""
    rows = [
        ("Il Girasole", 3, "Sì", ["Anz", "Min"], 10, "=SOMMA(A1)"),
        ("La Rondine", 1, "Sì", ["Anz"], 2.5, "Servono più trasporti."),
        ("Auser Viadana", 2, "No", ["Dis", "Anz"], 30, None),
        ("Senza risposte", 4, None, None, None, None),
        ("Bozza", None, "Sì", ["Min"], 1000, "non conta"),
    ]
    created = []
    for nome, numero, sede, utenti, volontari, note in rows:
        d = domanda(avviso, nome, numero, Domanda.Stato.INVIATA if numero else Domanda.Stato.BOZZA)
        for key, valore in [
            ("sede", sede),
            ("utenti", utenti),
            ("volontari", volontari),
            ("note", note),
        ]:
            if valore is not None:
                Risposta.objects.create(domanda=d, quesito=quesiti[key], valore=valore)
        created.append(d)
    # an answer cleared after submission keeps its row with no value
    Risposta.objects.filter(domanda=created[3]).delete()
    Risposta.objects.create(domanda=created[3], quesito=quesiti["note"], valore=None)
    return created


def url(avviso, suffix=""):
    return reverse("terzo_settore:rilevazione_riepilogo", args=[avviso.pk]) + suffix


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


@pytest.mark.parametrize("suffix", ["", "?format=csv"], ids=["page", "csv"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read_the_answers(client, request, avviso, quesiti, persona, suffix):
    login(client, request, persona)
    assert client.get(url(avviso, suffix)).status_code == GET[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_read_the_text_answers(client, request, avviso, quesiti, persona):
    login(client, request, persona)
    response = client.get(
        reverse("terzo_settore:rilevazione_risposte", args=[avviso.pk, quesiti["note"].pk])
    )
    assert response.status_code == GET[persona]


def test_only_surveys_have_a_summary(client, staff, ambito):
    client.force_login(staff)
    avviso = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE)
    assert client.get(url(avviso)).status_code == 404


def riga(response, quesito):
    return next(r for r in response.context["righe"] if r["quesito"] == quesito)


def test_the_summary_counts_submitted_applications_only(client, staff, avviso, risposte):
    client.force_login(staff)
    response = client.get(url(avviso))
    assert response.context["inviate"] == 4


def test_single_choice_counts_and_percentages(client, staff, avviso, quesiti, risposte):
    client.force_login(staff)
    r = riga(client.get(url(avviso)), quesiti["sede"])
    assert r["risposte"] == 3
    barre = r["grafico"].barre
    assert [(b.etichetta, b.conteggio, b.percentuale) for b in barre] == [
        ("Sì", 2, Decimal("66.7")),
        ("No", 1, Decimal("33.3")),
    ]
    assert barre[0].testo == "66,7% (2)"


def test_multiple_choice_counts_every_option_chosen(client, staff, avviso, quesiti, risposte):
    client.force_login(staff)
    r = riga(client.get(url(avviso)), quesiti["utenti"])
    assert r["risposte"] == 3
    assert [(b.etichetta, b.conteggio, b.percentuale) for b in r["grafico"].barre] == [
        ("Anz", 3, Decimal("100.0")),
        ("Min", 1, Decimal("33.3")),
        ("Dis", 1, Decimal("33.3")),
    ]


def test_number_statistics(client, staff, avviso, quesiti, risposte):
    client.force_login(staff)
    response = client.get(url(avviso))
    r = riga(response, quesiti["volontari"])
    s = r["statistiche"]
    assert (s["somma"], s["minimo"], s["massimo"]) == (Decimal("42.5"), Decimal("2.5"), 30)
    assert round(s["media"], 4) == Decimal("14.1667")
    html = response.content.decode()
    # Italian formatting: decimal comma
    assert "42,5" in html and "14,17" in html and "2,5" in html


def test_text_answers_with_the_organisation(client, staff, avviso, quesiti, risposte):
    client.force_login(staff)
    response = client.get(url(avviso))
    r = riga(response, quesiti["note"])
    assert r["risposte"] == 2
    # by protocol number
    assert [t.domanda.organizzazione.ente.denominazione for t in r["testi"]] == [
        "La Rondine",
        "Il Girasole",
    ]
    assert "non conta" not in response.content.decode()


def test_the_bar_chart_is_accessible_inline_svg(client, staff, avviso, quesiti, risposte):
    client.force_login(staff)
    html = client.get(url(avviso)).content.decode()
    svgs = re.findall(
        r"<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\".*?</svg>", html, re.S
    )
    assert len(svgs) == 2  # the two choice questions
    sede = svgs[0]
    titolo = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', sede)
    assert f'<title id="{titolo.group(1)}">' in sede
    assert f'<desc id="{titolo.group(2)}">' in sede
    assert "Sì: 66,7% (2); No: 33,3% (1)" in sede
    # nothing is loaded from elsewhere, no script
    assert "href=" not in sede and "<script" not in sede
    # 66.7% of the track (68% of the width): an SVG number, a point and never a decimal comma
    assert '<rect x="0" y="20" width="45.36%"' in sede
    # the same numbers as a table for screen readers
    assert re.search(r'<th scope="row">Sì</th><td>2</td><td>66,7%</td>', html)


def test_filter_by_target_group(client, staff, avviso, quesiti, risposte, anziani):
    client.force_login(staff)
    response = client.get(url(avviso, f"?area={anziani.pk}"))
    assert [r["quesito"] for r in response.context["righe"]] == [quesiti["volontari"]]
    response = client.get(url(avviso, "?area=null"))
    assert [r["quesito"] for r in response.context["righe"]] == [
        quesiti["sede"],
        quesiti["utenti"],
        quesiti["note"],
    ]
    # only the target groups the survey asks about are offered
    choices = response.context["filterset"].form.fields["area"].queryset
    assert list(choices) == [anziani]


def test_a_bad_filter_value_is_not_an_error(client, staff, avviso, quesiti):
    client.force_login(staff)
    response = client.get(url(avviso, "?area=abc"))
    assert response.status_code == 200


def test_a_survey_without_answers(client, staff, avviso, quesiti):
    client.force_login(staff)
    response = client.get(url(avviso))
    assert response.status_code == 200
    assert all(r["risposte"] == 0 for r in response.context["righe"])


def csv_rows(response):
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content.lstrip("\ufeff")), delimiter=";"))


def test_csv_export_of_every_answer(client, staff, avviso, quesiti, risposte):
    client.force_login(staff)
    response = client.get(url(avviso, "?format=csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="rilevazione-{avviso.pk}-risposte.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    header, *data = rows
    assert header[5:] == [
        "Sede nel distretto?",
        "Con chi lavorate?",
        "Volontari attivi",
        "Osservazioni",
    ]
    assert len(header) == 9
    # one row per submitted application, by protocol number; the draft is left out
    assert [(r[0], r[2]) for r in data] == [
        ("2026/000001", "La Rondine"),
        ("2026/000002", "Auser Viadana"),
        ("2026/000003", "Il Girasole"),
        ("2026/000004", "Senza risposte"),
    ]
    assert data[0][1] == "01/03/2026 09:30"
    assert data[0][5:] == ["Sì", "Anz", "2,5", "Servono più trasporti."]
    assert data[1][5:] == ["No", "Dis | Anz", "30", ""]
    # a typed formula does not become one in Excel
    assert data[2][5:] == ["Sì", "Anz | Min", "10", "'=SOMMA(A1)"]
    assert data[3][5:] == ["", "", "", ""]


def test_csv_export_ignores_the_filter(client, staff, avviso, quesiti, risposte, anziani):
    client.force_login(staff)
    rows = csv_rows(client.get(url(avviso, f"?area={anziani.pk}&format=csv")))
    assert len(rows[0]) == 9


def test_every_text_answer_on_its_own_page(client, staff, avviso, quesiti):
    for n in range(1, 8):
        d = domanda(avviso, f"Associazione {n}", n)
        Risposta.objects.create(domanda=d, quesito=quesiti["note"], valore=f"Risposta {n}")
    client.force_login(staff)
    r = riga(client.get(url(avviso)), quesiti["note"])
    assert len(r["testi"]) == 5 and r["altri"] == 2
    page_url = reverse("terzo_settore:rilevazione_risposte", args=[avviso.pk, quesiti["note"].pk])
    assert page_url in client.get(url(avviso)).content.decode()
    response = client.get(page_url)
    assert response.context["page"].paginator.count == 7
    assert "Risposta 7" in response.content.decode()


def test_only_text_questions_have_an_answers_page(client, staff, avviso, quesiti):
    client.force_login(staff)
    response = client.get(
        reverse("terzo_settore:rilevazione_risposte", args=[avviso.pk, quesiti["sede"].pk])
    )
    assert response.status_code == 404


# --- queries ------------------------------------------------------------------------------


def analyze(*models):
    """Fresh statistics for the planner: after earlier tests rolled their rows back,
    autovacuum may have left these tables recorded as empty, and a plan made for empty
    tables takes minutes on 1,000 rows."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f'ANALYZE "{model._meta.db_table}"')


def add_applications(avviso, quesiti, start, stop):
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
            stato=Domanda.Stato.INVIATA,
            protocollo_anno=2026,
            protocollo_numero=n + 1,
            inviata_at=datetime(2026, 3, 1, tzinfo=ROME),
            created_by=author,
        )
        for n, o in zip(range(start, stop), organizzazioni, strict=True)
    )
    valori = {
        "sede": lambda n: ["Sì", "No"][n % 2],
        "utenti": lambda n: ["Anz", "Dis"][: 1 + n % 2],
        "volontari": lambda n: n,
        "note": lambda n: f"Testo {n}",
    }
    Risposta.objects.bulk_create(
        Risposta(domanda=d, quesito=quesiti[key], valore=valore(n))
        for n, d in zip(range(start, stop), domande, strict=True)
        for key, valore in valori.items()
    )
    analyze(Ente, Organizzazione, Domanda, Risposta, Quesito)


def queries(client, address):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "suffix", ["", "?format=csv", "?area=null"], ids=["page", "csv", "filtered"]
)
def test_the_summary_runs_the_same_queries_with_10_and_1000_applications(
    client, staff, avviso, quesiti, suffix
):
    client.force_login(staff)
    address = url(avviso, suffix)
    client.get(address)
    add_applications(avviso, quesiti, 0, 10)
    few = queries(client, address)
    add_applications(avviso, quesiti, 10, 1000)
    many = queries(client, address)
    assert few == many, f"{few} queries with 10 applications, {many} with 1,000"
    if not suffix:
        response = client.get(address)
        assert response.context["inviate"] == 1000
        assert riga(response, quesiti["volontari"])["statistiche"]["somma"] == sum(range(1000))


def test_the_text_answers_page_runs_the_same_queries_with_10_and_1000(
    client, staff, avviso, quesiti
):
    client.force_login(staff)
    address = reverse("terzo_settore:rilevazione_risposte", args=[avviso.pk, quesiti["note"].pk])
    client.get(address)
    add_applications(avviso, quesiti, 0, 10)
    few = queries(client, address)
    add_applications(avviso, quesiti, 10, 1000)
    assert queries(client, address) == few


def test_long_option_labels_wrap_in_the_chart():
    from terzo_settore.charts import barre_orizzontali

    label = "Persone anziane non autosufficienti che vivono sole in un comune senza servizi " * 2
    grafico = barre_orizzontali([(label, 3), ("No", 0)], 4)
    lunga, corta = grafico.barre
    assert 1 < len(lunga.righe) <= 3 and lunga.righe[-1][1].endswith("…")
    assert [len(t) <= 38 for _y, t in lunga.righe] == [True] * len(lunga.righe)
    # the next option starts below the wrapped label and its bar
    assert corta.righe[0][0] > lunga.y_barra + 18
    assert corta.larghezza == "0.30%" and corta.testo == "0,0% (0)"
    assert grafico.altezza > corta.y_barra + 18
