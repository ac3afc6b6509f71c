"""The questions of a survey notice: who may manage them, adding, editing, reordering and
removing, and what an answered question keeps."""

import pytest
from django.urls import reverse

from ambiti.models import AreaUtenza
from pdz.models import AuditLog
from terzo_settore import services
from terzo_settore.models import Avviso, Domanda, Quesito, Risposta
from tests.pdz.factories import UserFactory
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory

PERSONAS = ["anonymous", "alice", "referente", "commissario", "staff", "staff_altro", "sindaco"]
# No role in the ambito: 404; a role but not the staff's: 403; anonymous: sign in first.
GET = {
    "anonymous": 302,
    "alice": 404,
    "referente": 403,
    "commissario": 404,
    "staff": 200,
    "staff_altro": 404,
    "sindaco": 403,
}
POST = {**GET, "staff": 302}


@pytest.fixture
def commissario(db):
    return UserFactory(email="marco@example.org", full_name="Marco Valutatore")


@pytest.fixture
def avviso(ambito, staff):
    return AvvisoFactory(
        ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE, titolo="Scheda servizi 2026", created_by=staff
    )


def crea(avviso, testo, tipo=Quesito.Tipo.TESTO, opzioni="", ordine=0, **kwargs):
    return Quesito.objects.create(
        avviso=avviso, testo=testo, tipo=tipo, opzioni=opzioni, ordine=ordine, **kwargs
    )


@pytest.fixture
def quesito(avviso):
    return crea(avviso, "Quante persone assistete?", Quesito.Tipo.NUMERO)


def login(client, request, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def urls(avviso, quesito):
    return {
        "list": reverse("terzo_settore:quesiti", args=[avviso.pk]),
        "add": reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]),
        "edit": reverse("terzo_settore:quesito_modifica", args=[avviso.pk, quesito.pk]),
        "remove": reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, quesito.pk]),
    }


@pytest.mark.parametrize("page", ["list", "add", "edit", "remove"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_open_the_question_pages(client, request, avviso, quesito, persona, page):
    login(client, request, persona)
    response = client.get(urls(avviso, quesito)[page])
    assert response.status_code == GET[persona]
    if persona == "anonymous":
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_add_a_question(client, request, avviso, persona):
    login(client, request, persona)
    response = client.post(
        reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]),
        {"testo": "Da quanti anni operate?", "tipo": "numero"},
    )
    assert response.status_code == POST[persona]
    assert avviso.quesiti.exists() == (persona == "staff")


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_move_and_remove_a_question(client, request, avviso, quesito, persona):
    secondo = crea(avviso, "Secondo", ordine=1)
    login(client, request, persona)
    response = client.post(
        reverse("terzo_settore:quesito_sposta", args=[avviso.pk, secondo.pk]), {"verso": "su"}
    )
    assert response.status_code == POST[persona]
    response = client.post(reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, quesito.pk]))
    assert response.status_code == POST[persona]
    assert Quesito.objects.filter(pk=quesito.pk).exists() == (persona != "staff")


def test_the_regional_administrator_manages_every_survey(client, admin_regionale, avviso):
    client.force_login(admin_regionale)
    assert client.get(reverse("terzo_settore:quesiti", args=[avviso.pk])).status_code == 200


def test_only_surveys_have_questions(client, staff, ambito):
    client.force_login(staff)
    adesione = AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.ADESIONE)
    assert client.get(reverse("terzo_settore:quesiti", args=[adesione.pk])).status_code == 404


def test_a_question_of_another_survey_is_not_found(client, staff, avviso, ambito):
    other = crea(AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE), "Altro")
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_modifica", args=[avviso.pk, other.pk])
    assert client.get(url).status_code == 404


def test_the_list_shows_the_questions_in_order(client, staff, avviso):
    crea(avviso, "Seconda domanda", ordine=2)
    crea(avviso, "Prima domanda", Quesito.Tipo.SCELTA_SINGOLA, "Sì\nNo", ordine=1)
    client.force_login(staff)
    response = client.get(reverse("terzo_settore:quesiti", args=[avviso.pk]))
    html = response.content.decode()
    assert html.index("Prima domanda") < html.index("Seconda domanda")
    assert reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]) in html
    assert reverse("terzo_settore:rilevazione_riepilogo", args=[avviso.pk]) in html


def test_staff_add_a_choice_question_for_a_target_group(client, staff, avviso, ambito):
    area = AreaUtenza.objects.create(nome="Anziani", ordine=1)
    propria = AreaUtenza.objects.create(nome="Caregiver familiari", ambito=ambito, ordine=2)
    crea(avviso, "Già presente")
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_nuovo", args=[avviso.pk])
    form = client.get(url).context["form"]
    assert {area, propria} <= set(form.fields["area"].queryset)
    response = client.post(
        url,
        {
            "testo": "Quali servizi offrite agli anziani?",
            "aiuto": "Indicate tutti quelli attivi.",
            "tipo": "multipla",
            "opzioni": "Assistenza domiciliare\n\n  Centro diurno  \nTrasporto\n",
            "area": area.pk,
            "obbligatorio": "on",
        },
    )
    quesito = avviso.quesiti.get(testo="Quali servizi offrite agli anziani?")
    assert response.status_code == 302
    assert response.url == reverse("terzo_settore:quesiti", args=[avviso.pk]) + f"#q{quesito.pk}"
    assert quesito.scelte == ["Assistenza domiciliare", "Centro diurno", "Trasporto"]
    assert quesito.area == area and quesito.obbligatorio
    assert quesito.ordine == 1  # after the one already there
    assert AuditLog.objects.filter(action="quesito.aggiunto").exists()
    followed = client.get(response.url)
    assert [m.level_tag for m in followed.context["messages"]] == ["success"]


def test_an_area_of_another_ambito_is_refused(client, staff, avviso, altro_ambito):
    estranea = AreaUtenza.objects.create(nome="Altrove", ambito=altro_ambito)
    client.force_login(staff)
    response = client.post(
        reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]),
        {"testo": "Domanda", "tipo": "testo", "area": estranea.pk},
    )
    assert response.status_code == 200
    assert "area" in response.context["form"].errors


@pytest.mark.parametrize(
    "opzioni, tipo",
    [
        ("", "singola"),
        ("Solo una", "singola"),
        ("Sì\nsì", "multipla"),
        ("x" * 201 + "\ny", "singola"),
    ],
    ids=["none", "one", "twice", "too-long"],
)
def test_choice_questions_need_two_distinct_options(client, staff, avviso, opzioni, tipo):
    client.force_login(staff)
    response = client.post(
        reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]),
        {"testo": "Scegliete", "tipo": tipo, "opzioni": opzioni},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["opzioni"]
    assert form["testo"].value() == "Scegliete"
    assert not avviso.quesiti.exists()


def test_options_of_a_text_question_are_dropped(client, staff, avviso):
    client.force_login(staff)
    client.post(
        reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]),
        {"testo": "Descrivete", "tipo": "testo", "opzioni": "a\nb"},
    )
    assert avviso.quesiti.get().opzioni == ""


def test_an_empty_question_is_an_error_next_to_the_field(client, staff, avviso):
    client.force_login(staff)
    response = client.post(reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]), {})
    assert response.status_code == 200
    assert {"testo", "tipo"} <= set(response.context["form"].errors)


def test_staff_edit_a_question(client, staff, avviso, quesito):
    client.force_login(staff)
    response = client.post(
        reverse("terzo_settore:quesito_modifica", args=[avviso.pk, quesito.pk]),
        {"testo": "Quante persone avete assistito nel 2025?", "tipo": "numero"},
    )
    assert response.status_code == 302
    quesito.refresh_from_db()
    assert quesito.testo == "Quante persone avete assistito nel 2025?"


@pytest.fixture
def risposta(avviso):
    """An answer of a submitted application to a single-choice question."""
    quesito = crea(avviso, "Sede nel distretto?", Quesito.Tipo.SCELTA_SINGOLA, "Sì\nNo\nIn parte")
    domanda = DomandaFactory(
        avviso=avviso, stato=Domanda.Stato.INVIATA, protocollo_anno=2026, protocollo_numero=1
    )
    return Risposta.objects.create(domanda=domanda, quesito=quesito, valore="Sì")


def test_an_answered_question_keeps_its_type(client, staff, avviso, risposta):
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_modifica", args=[avviso.pk, risposta.quesito.pk])
    response = client.post(url, {"testo": "Sede?", "tipo": "testo"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["tipo"]
    assert response.context["answered"]


def test_an_answered_question_keeps_the_options_chosen(client, staff, avviso, risposta):
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_modifica", args=[avviso.pk, risposta.quesito.pk])
    response = client.post(url, {"testo": "Sede?", "tipo": "singola", "opzioni": "No\nIn parte"})
    assert list(response.context["form"].errors) == ["opzioni"]
    assert "Sì" in response.context["form"].errors["opzioni"][0]
    # an option nobody chose may go, new ones may come
    response = client.post(url, {"testo": "Sede?", "tipo": "singola", "opzioni": "Sì\nNo\nForse"})
    assert response.status_code == 302
    risposta.quesito.refresh_from_db()
    assert risposta.quesito.scelte == ["Sì", "No", "Forse"]


def test_the_service_guards_the_type_and_options_too(staff, risposta):
    quesito = risposta.quesito
    quesito.tipo = Quesito.Tipo.TESTO
    with pytest.raises(services.OperazioneNonValida):
        services.salva_quesito(quesito, by=staff)
    quesito = Quesito.objects.get(pk=risposta.quesito.pk)
    quesito.opzioni = "No\nAltro"
    with pytest.raises(services.OperazioneNonValida):
        services.salva_quesito(quesito, by=staff)


def move(client, avviso, quesito, verso):
    return client.post(
        reverse("terzo_settore:quesito_sposta", args=[avviso.pk, quesito.pk]), {"verso": verso}
    )


def test_staff_reorder_the_questions(client, staff, avviso):
    a = crea(avviso, "A", ordine=0)
    b = crea(avviso, "B", ordine=5)
    c = crea(avviso, "C", ordine=5)
    client.force_login(staff)

    def order():
        return list(avviso.quesiti.order_by("ordine", "pk").values_list("testo", flat=True))

    response = move(client, avviso, c, "su")
    assert response.url == reverse("terzo_settore:quesiti", args=[avviso.pk]) + f"#q{c.pk}"
    assert order() == ["A", "C", "B"]
    move(client, avviso, a, "giu")
    assert order() == ["C", "A", "B"]
    move(client, avviso, c, "su")  # already first: nothing changes
    move(client, avviso, b, "giu")  # already last
    assert order() == ["C", "A", "B"]
    assert list(avviso.quesiti.order_by("ordine").values_list("ordine", flat=True)) == [0, 1, 2]


def test_moving_needs_a_post(client, staff, avviso, quesito):
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_sposta", args=[avviso.pk, quesito.pk])
    assert client.get(url).status_code == 405


def test_staff_remove_a_question_nobody_answered(client, staff, avviso, quesito):
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, quesito.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.url == reverse("terzo_settore:quesiti", args=[avviso.pk])
    assert not Quesito.objects.filter(pk=quesito.pk).exists()
    assert AuditLog.objects.filter(action="quesito.rimosso").exists()


def test_empty_draft_answers_do_not_keep_a_question(client, staff, avviso, quesito):
    Risposta.objects.create(domanda=DomandaFactory(avviso=avviso), quesito=quesito, valore=None)
    client.force_login(staff)
    client.post(reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, quesito.pk]))
    assert not Quesito.objects.filter(pk=quesito.pk).exists()


def test_an_answered_question_is_not_removed(client, staff, avviso, risposta):
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, risposta.quesito.pk])
    response = client.post(url, follow=True)
    assert Quesito.objects.filter(pk=risposta.quesito.pk).exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_no_question_is_removed_once_a_published_survey_has_applications(
    client, staff, avviso, risposta
):
    unanswered = crea(avviso, "Nessuno ha risposto", ordine=3)
    client.force_login(staff)
    client.post(reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, unanswered.pk]))
    assert Quesito.objects.filter(pk=unanswered.pk).exists()
    # a draft's answer to it alone would not have stopped it
    assert not services.risposte_date(unanswered).exists()


def test_a_draft_answer_keeps_its_question_too(staff, avviso, quesito):
    Risposta.objects.create(domanda=DomandaFactory(avviso=avviso), quesito=quesito, valore=3)
    with pytest.raises(services.OperazioneNonValida):
        services.rimuovi_quesito(quesito, by=staff)


def test_questions_of_a_withdrawn_notice_stay(client, staff, avviso, quesito):
    avviso.stato = Avviso.Stato.ANNULLATO
    avviso.save()
    client.force_login(staff)
    response = client.get(reverse("terzo_settore:quesiti", args=[avviso.pk]))
    assert reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]) not in response.content.decode()
    response = client.post(
        reverse("terzo_settore:quesito_nuovo", args=[avviso.pk]),
        {"testo": "Nuova", "tipo": "testo"},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert avviso.quesiti.count() == 1
    move(client, avviso, quesito, "giu")
    client.post(reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, quesito.pk]))
    assert Quesito.objects.filter(pk=quesito.pk).exists()


def test_the_list_runs_the_same_queries_with_10_and_1000_questions(
    client, staff, avviso, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("terzo_settore:quesiti", args=[avviso.pk])
    client.force_login(staff)
    area = AreaUtenza.objects.create(nome="Minori")

    def add(start, stop):
        Quesito.objects.bulk_create(
            Quesito(avviso=avviso, testo=f"Domanda {n}", tipo="singola", opzioni="a\nb", area=area)
            for n in range(start, stop)
        )
        with connection.cursor() as cursor:
            cursor.execute('ANALYZE "terzo_settore_quesito"')

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.get(url)
    add(0, 10)
    few = count()
    add(10, 1000)
    assert count() == few


def test_a_new_question_is_a_text_one_unless_chosen(client, staff, avviso):
    client.force_login(staff)
    form = client.get(reverse("terzo_settore:quesito_nuovo", args=[avviso.pk])).context["form"]
    assert form["tipo"].value() == "testo"
    assert [value for value, _label in form.fields["tipo"].choices] == Quesito.Tipo.values


def test_the_remove_page_says_why_a_question_stays(client, staff, avviso, risposta):
    client.force_login(staff)
    url = reverse("terzo_settore:quesito_rimuovi", args=[avviso.pk, risposta.quesito.pk])
    response = client.get(url)
    assert response.context["motivo"]
    assert 'method="post"' not in response.content.decode().split("<main")[1].split("</main>")[0]
