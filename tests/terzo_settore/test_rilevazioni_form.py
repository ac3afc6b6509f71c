"""The answer form of a survey (RisposteForm), used inside the application's edit page."""

import re
from decimal import Decimal

import pytest

from terzo_settore.forms.rilevazioni import NumeroField, RisposteForm, numero_italiano
from terzo_settore.models import Avviso, Quesito, Risposta
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def avviso(ambito):
    return AvvisoFactory(ambito=ambito, tipo=Avviso.Tipo.RILEVAZIONE)


@pytest.fixture
def quesiti(avviso):
    def q(ordine, tipo, testo, opzioni="", obbligatorio=True):
        return Quesito.objects.create(
            avviso=avviso,
            ordine=ordine,
            tipo=tipo,
            testo=testo,
            opzioni=opzioni,
            obbligatorio=obbligatorio,
        )

    return [
        q(0, Quesito.Tipo.TESTO, "Quali servizi offrite?"),
        q(1, Quesito.Tipo.NUMERO, "Quanti volontari avete?"),
        q(2, Quesito.Tipo.SCELTA_SINGOLA, "Avete una sede nel distretto?", "Sì\nNo"),
        q(3, Quesito.Tipo.SCELTA_MULTIPLA, "Con chi lavorate?", "Anziani\nMinori\nDisabili"),
        q(4, Quesito.Tipo.TESTO, "Osservazioni", obbligatorio=False),
    ]


@pytest.fixture
def domanda(avviso):
    return DomandaFactory(avviso=avviso)


def names(quesiti):
    return [RisposteForm.nome(q) for q in quesiti]


def data(quesiti, testo="", numero="", singola=None, multipla=(), note=""):
    n = names(quesiti)
    result = {n[0]: testo, n[1]: numero, n[3]: list(multipla), n[4]: note}
    if singola is not None:
        result[n[2]] = singola
    return result


def test_one_field_per_question_of_the_right_kind(quesiti, domanda):
    form = RisposteForm(quesiti, domanda)
    assert list(form.fields) == names(quesiti)
    fields = list(form.fields.values())
    assert type(fields[0]).__name__ == "CharField"
    assert isinstance(fields[1], NumeroField)
    assert fields[2].choices == [("Sì", "Sì"), ("No", "No")]
    assert [c for c, _label in fields[3].choices] == ["Anziani", "Minori", "Disabili"]
    # the asterisk of a required question shows on the page, the browser does not enforce it
    assert fields[0].required and not fields[4].required
    assert "required" not in str(form[names(quesiti)[0]])


def test_a_draft_may_leave_required_questions_empty(quesiti, domanda):
    form = RisposteForm(quesiti, domanda, data(quesiti))
    form.per_invio = False
    assert form.is_valid(), form.errors
    form.save()
    assert not Risposta.objects.filter(domanda=domanda).exists()


def test_a_submission_needs_every_required_answer(quesiti, domanda):
    form = RisposteForm(quesiti, domanda, data(quesiti, testo="Assistenza domiciliare"))
    form.per_invio = True
    assert not form.is_valid()
    n = names(quesiti)
    assert set(form.errors) == {n[1], n[2], n[3]}
    # what was typed is kept
    assert form[n[0]].value() == "Assistenza domiciliare"


def test_switching_to_submission_validates_again(quesiti, domanda):
    form = RisposteForm(quesiti, domanda, data(quesiti))
    assert form.is_valid()
    form.per_invio = True
    assert not form.is_valid()
    # and the page still marks the required questions
    assert form.fields[names(quesiti)[1]].required


def test_complete_answers_are_saved(quesiti, domanda):
    form = RisposteForm(
        quesiti,
        domanda,
        data(quesiti, "Centro diurno", "1.250", "Sì", ["Anziani", "Disabili"]),
    )
    form.per_invio = True
    assert form.is_valid(), form.errors
    form.save()
    valori = dict(Risposta.objects.filter(domanda=domanda).values_list("quesito_id", "valore"))
    assert valori == {
        quesiti[0].pk: "Centro diurno",
        quesiti[1].pk: 1250,
        quesiti[2].pk: "Sì",
        quesiti[3].pk: ["Anziani", "Disabili"],
    }


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("3,5", Decimal("3.5")),
        ("3.5", Decimal("3.5")),
        ("1.234", Decimal("1234")),
        ("1.234,56", Decimal("1234.56")),
        ("12 000", Decimal("12000")),
        ("-2", Decimal("-2")),
        ("0,25", Decimal("0.25")),
    ],
)
def test_numbers_are_read_the_italian_way(typed, expected):
    assert NumeroField(required=False).clean(typed) == expected


@pytest.mark.parametrize("typed", ["tre", "3,5,1", "1e5x"])
def test_a_number_that_is_not_one_is_an_error(quesiti, domanda, typed):
    form = RisposteForm(quesiti, domanda, data(quesiti, numero=typed))
    assert not form.is_valid()
    assert list(form.errors) == [names(quesiti)[1]]
    assert form[names(quesiti)[1]].value() == typed


def test_a_decimal_answer_is_stored_and_shown_back_with_a_comma(quesiti, domanda):
    form = RisposteForm(quesiti, domanda, data(quesiti, numero="2,75"))
    assert form.is_valid()
    form.save()
    assert Risposta.objects.get(domanda=domanda, quesito=quesiti[1]).valore == 2.75
    again = RisposteForm(quesiti, domanda)
    assert again[names(quesiti)[1]].value() == "2,75"
    assert numero_italiano(Decimal("10.00")) == "10"


def test_options_are_validated(quesiti, domanda):
    form = RisposteForm(
        quesiti, domanda, data(quesiti, singola="Forse", multipla=["Anziani", "Giovani"])
    )
    assert not form.is_valid()
    n = names(quesiti)
    assert set(form.errors) == {n[2], n[3]}


def test_fields_are_prefilled_from_the_answers(quesiti, domanda):
    Risposta.objects.bulk_create(
        [
            Risposta(domanda=domanda, quesito=quesiti[0], valore="Mensa solidale"),
            Risposta(domanda=domanda, quesito=quesiti[1], valore=12),
            Risposta(domanda=domanda, quesito=quesiti[2], valore="No"),
            Risposta(domanda=domanda, quesito=quesiti[3], valore=["Minori"]),
        ]
    )
    form = RisposteForm(quesiti, domanda)
    n = names(quesiti)
    assert form[n[0]].value() == "Mensa solidale"
    assert form[n[1]].value() == "12"
    assert form[n[2]].value() == "No"
    assert form[n[3]].value() == ["Minori"]
    assert form[n[4]].value() is None
    assert re.search(r'value="No"[^>]*checked', str(form[n[2]]))


def test_saving_again_updates_and_clears_without_duplicates(quesiti, domanda):
    first = RisposteForm(quesiti, domanda, data(quesiti, "A", "1", "Sì", ["Minori"], "nota"))
    assert first.is_valid()
    first.save()
    second = RisposteForm(quesiti, domanda, data(quesiti, "B", "2", "No", [], ""))
    assert second.is_valid()
    second.save()
    risposte = {r.quesito_id: r.valore for r in Risposta.objects.filter(domanda=domanda)}
    assert len(risposte) == 5  # one row per question, never two
    assert risposte[quesiti[0].pk] == "B"
    assert risposte[quesiti[1].pk] == 2
    assert risposte[quesiti[2].pk] == "No"
    # cleared answers keep their row, with no value (SQL NULL)
    assert risposte[quesiti[3].pk] is None
    assert risposte[quesiti[4].pk] is None
    assert Risposta.objects.filter(domanda=domanda, valore__isnull=True).count() == 2


def test_save_runs_in_one_transaction(quesiti, domanda, django_assert_max_num_queries):
    form = RisposteForm(quesiti, domanda, data(quesiti, "A", "1", "Sì", ["Minori"]))
    assert form.is_valid()
    # read the existing answers, then one upsert (plus the savepoint)
    with django_assert_max_num_queries(4):
        form.save()


def test_a_target_group_shows_in_the_help_text(avviso, domanda):
    from ambiti.models import AreaUtenza

    anziani = AreaUtenza.objects.create(nome="Anziani", ordine=1)
    q = Quesito.objects.create(
        avviso=avviso, tipo=Quesito.Tipo.NUMERO, testo="Posti letto", area=anziani
    )
    form = RisposteForm([q], domanda)
    assert "Anziani" in form.fields[RisposteForm.nome(q)].help_text


def test_an_unsaved_application_has_no_answers_to_prefill(quesiti, avviso):
    from terzo_settore.models import Domanda

    form = RisposteForm(quesiti, Domanda(avviso=avviso))
    assert all(form[name].value() in (None, []) for name in names(quesiti))


def test_building_the_form_takes_two_queries_whatever_the_questions(
    avviso, domanda, django_assert_num_queries
):
    from ambiti.models import AreaUtenza

    aree = [AreaUtenza.objects.create(nome=f"Area {n}") for n in range(5)]
    for n, area in enumerate(aree):
        Quesito.objects.create(avviso=avviso, tipo=Quesito.Tipo.TESTO, testo=f"Q{n}", area=area)
    with django_assert_num_queries(2):  # the questions with their target group, the answers
        form = RisposteForm(avviso.quesiti.all(), domanda)
    assert len(form.fields) == 5
