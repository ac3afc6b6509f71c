"""The reference data of an ambito's bodies: policy areas and voting rules
(tavoli.views.riferimenti)."""

# The fixtures imported from test_calendario are parameters of the tests below.
# ruff: noqa: F811

from decimal import Decimal

import pytest
from django.urls import reverse

from pdz.models import AuditLog
from tavoli.models import AreaPolicy, RegolaVoto
from tests.tavoli.factories import RegolaVotoFactory, TavoloFactory
from tests.tavoli.test_calendario import login, utente  # noqa: F401 (fixtures)

MATRICE_LETTURA = [
    ("anonymous", 302),
    ("alice", 404),
    ("staff", 200),
    ("staff_altro", 404),
    ("sindaco", 200),
    ("admin_regionale", 200),
]
MATRICE_SCRITTURA = [
    ("anonymous", 302),
    ("alice", 404),
    ("staff", 200),
    ("staff_altro", 404),
    ("sindaco", 403),
    ("admin_regionale", 200),
]


@pytest.fixture
def area(ambito):
    return AreaPolicy.objects.create(ambito=ambito, nome="Povertà educativa", ordine=10)


@pytest.fixture
def regola(ambito):
    return RegolaVotoFactory(ambito=ambito, nome="Assemblea dei Sindaci – art. 7")


def condivisa():
    return RegolaVoto.objects.filter(ambito__isnull=True).order_by("pk").first()


def dati_regola(**kwargs):
    return {
        "nome": "Assemblea – statuto",
        "peso": RegolaVoto.Peso.DOPPIA,
        "maggioranza": RegolaVoto.Maggioranza.PRESENTI,
        "soglia": "66,66",
        "quorum_prima": "50",
        "quorum_seconda": "0",
        **kwargs,
    }


def check(response, status):
    assert response.status_code == status
    if status == 302:
        assert reverse("account_login") in response.url


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(("utente", "status"), MATRICE_LETTURA, indirect=["utente"])
def test_who_reads_the_policy_areas(client, ambito, utente, status):
    login(client, utente)
    check(client.get(reverse("tavoli:aree_policy", args=[ambito.codice])), status)


@pytest.mark.parametrize(("utente", "status"), MATRICE_LETTURA, indirect=["utente"])
def test_who_reads_the_voting_rules(client, ambito, utente, status):
    login(client, utente)
    check(client.get(reverse("tavoli:regole", args=[ambito.codice])), status)


@pytest.mark.parametrize(("utente", "status"), MATRICE_SCRITTURA, indirect=["utente"])
def test_who_opens_the_new_rule_form(client, ambito, utente, status):
    login(client, utente)
    check(client.get(reverse("tavoli:regola_nuova", args=[ambito.codice])), status)


@pytest.mark.parametrize(("utente", "status"), MATRICE_SCRITTURA, indirect=["utente"])
def test_who_opens_the_form_of_a_rule_of_the_ambito(client, regola, utente, status):
    login(client, utente)
    check(client.get(reverse("tavoli:regola_modifica", args=[regola.pk])), status)


@pytest.mark.parametrize(("utente", "status"), MATRICE_SCRITTURA, indirect=["utente"])
def test_who_opens_the_form_of_an_area_of_the_ambito(client, area, utente, status):
    login(client, utente)
    check(client.get(reverse("tavoli:area_policy_modifica", args=[area.pk])), status)


@pytest.mark.parametrize(
    ("utente", "status"),
    [
        ("anonymous", 302),
        ("alice", 404),
        ("staff", 403),
        ("sindaco", 403),
        ("admin_regionale", 403),
    ],
    indirect=["utente"],
)
def test_shared_rows_are_not_changed_here(client, db, utente, status):
    login(client, utente)
    shared_area = AreaPolicy.objects.filter(ambito__isnull=True).first()
    check(client.get(reverse("tavoli:regola_modifica", args=[condivisa().pk])), status)
    check(client.get(reverse("tavoli:area_policy_modifica", args=[shared_area.pk])), status)


@pytest.mark.parametrize(
    ("utente", "status"),
    [
        ("anonymous", 302),
        ("alice", 404),
        ("staff", 302),
        ("staff_altro", 404),
        ("sindaco", 403),
        ("admin_regionale", 302),
    ],
    indirect=["utente"],
)
def test_who_changes_the_reference_data(client, ambito, area, regola, utente, status):
    login(client, utente)
    risposte = [
        client.post(reverse("tavoli:aree_policy", args=[ambito.codice]), {"nome": "Sport"}),
        client.post(reverse("tavoli:regola_nuova", args=[ambito.codice]), dati_regola()),
        client.post(
            reverse("tavoli:regola_modifica", args=[regola.pk]), dati_regola(nome="Rinominata")
        ),
        client.post(
            reverse("tavoli:area_policy_modifica", args=[area.pk]),
            {"nome": "Rinominata", "ordine": 1, "attiva": "on"},
        ),
        client.post(reverse("tavoli:regola_copia", args=[ambito.codice, condivisa().pk])),
    ]
    for response in risposte:
        assert response.status_code == status, response.context and [
            f.errors for f in [response.context.get("form")] if f
        ]
        if status == 302 and utente is None:
            assert reverse("account_login") in response.url
    cambiato = status == 302 and utente is not None
    assert AreaPolicy.objects.filter(ambito=ambito, nome="Sport").exists() == cambiato
    assert RegolaVoto.objects.filter(ambito=ambito, nome="Assemblea – statuto").exists() == cambiato
    assert RegolaVoto.objects.filter(pk=regola.pk, nome="Rinominata").exists() == cambiato
    assert AreaPolicy.objects.filter(pk=area.pk, nome="Rinominata").exists() == cambiato
    assert RegolaVoto.objects.filter(ambito=ambito).count() == (3 if cambiato else 1)


def test_a_mayor_reads_without_buttons(client, sindaco, ambito, regola, area):
    client.force_login(sindaco)
    html = client.get(reverse("tavoli:regole", args=[ambito.codice])).content.decode()
    assert regola.nome in html and condivisa().nome in html
    assert reverse("tavoli:regola_nuova", args=[ambito.codice]) not in html
    assert reverse("tavoli:regola_modifica", args=[regola.pk]) not in html
    assert reverse("tavoli:regola_copia", args=[ambito.codice, condivisa().pk]) not in html
    html = client.get(reverse("tavoli:aree_policy", args=[ambito.codice])).content.decode()
    assert area.nome in html and "Lavoro e formazione" in html
    assert reverse("tavoli:area_policy_modifica", args=[area.pk]) not in html
    assert 'method="post"' not in html.split('id="gestione-nav-title"')[0].split("<h1>")[1]


# --- policy areas -------------------------------------------------------------------------


def test_the_list_has_the_shared_areas_and_the_ambitos_own(
    client, staff, ambito, area, altro_ambito
):
    AreaPolicy.objects.create(ambito=altro_ambito, nome="Area di un altro ambito")
    client.force_login(staff)
    response = client.get(reverse("tavoli:aree_policy", args=[ambito.codice]))
    assert [a.nome for a in response.context["proprie"]] == ["Povertà educativa"]
    assert "Integrazione sociosanitaria" in [a.nome for a in response.context["comuni"]]
    assert "Area di un altro ambito" not in response.content.decode()
    # the shared rows have no edit link
    for shared in response.context["comuni"]:
        assert (
            reverse("tavoli:area_policy_modifica", args=[shared.pk])
            not in response.content.decode()
        )


def test_staff_add_an_area(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:aree_policy", args=[ambito.codice]),
        {"nome": "  Sport   e tempo libero ", "ordine": "20"},
        follow=True,
    )
    area = AreaPolicy.objects.get(ambito=ambito)
    assert (area.nome, area.ordine, area.attiva) == ("Sport e tempo libero", 20, True)
    assert "Sport e tempo libero" in response.content.decode()
    assert len(list(response.context["messages"])) == 1
    assert AuditLog.objects.filter(action="area_policy.creata", object_id=str(area.pk)).exists()


def test_an_area_cannot_repeat_a_name(client, staff, ambito, area):
    # The shared list comes from a data migration, which transactional tests flush.
    AreaPolicy.objects.get_or_create(ambito=None, nome="Lavoro e formazione")
    client.force_login(staff)
    url = reverse("tavoli:aree_policy", args=[ambito.codice])
    for nome in ["lavoro e formazione", "POVERTÀ EDUCATIVA"]:
        response = client.post(url, {"nome": nome, "ordine": "1"})
        assert response.status_code == 200
        assert response.context["form"].errors["nome"]
        assert f'value="{nome}"' in response.content.decode()  # what was typed is kept
    assert AreaPolicy.objects.filter(ambito=ambito).count() == 1


def test_an_area_is_renamed_and_deactivated_never_deleted(client, staff, ambito, area):
    tavolo = TavoloFactory(ambito=ambito)
    tavolo.aree_policy.add(area)
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:area_policy_modifica", args=[area.pk]),
        {"nome": "Povertà educativa e dispersione", "ordine": "5"},  # "attiva" unticked
        follow=True,
    )
    area.refresh_from_db()
    assert (area.nome, area.ordine, area.attiva) == ("Povertà educativa e dispersione", 5, False)
    assert list(tavolo.aree_policy.all()) == [area]
    assert area not in AreaPolicy.objects.per_ambito(ambito)
    assert "Povertà educativa e dispersione" in response.content.decode()


# --- voting rules -------------------------------------------------------------------------


def test_staff_create_a_rule_typing_percentages_the_italian_way(client, staff, ambito):
    client.force_login(staff)
    response = client.post(reverse("tavoli:regola_nuova", args=[ambito.codice]), dati_regola())
    assert response.status_code == 302
    regola = RegolaVoto.objects.get(ambito=ambito)
    assert (regola.peso, regola.maggioranza) == ("doppia", "presenti")
    assert (regola.soglia, regola.quorum_prima, regola.quorum_seconda) == (
        Decimal("66.66"),
        Decimal("50"),
        Decimal("0"),
    )
    html = client.get(response.url).content.decode()
    assert "Assemblea – statuto" in html and "66,66" in html


@pytest.mark.parametrize(
    ("campo", "valore"),
    [
        ("soglia", "100"),
        ("soglia", "-1"),
        ("quorum_prima", "120"),
        ("quorum_seconda", "abc"),
        ("soglia", ""),
    ],
)
def test_a_percentage_out_of_range_is_refused_next_to_its_field(
    client, staff, ambito, campo, valore
):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:regola_nuova", args=[ambito.codice]), dati_regola(**{campo: valore})
    )
    assert response.status_code == 200
    errori = response.context["form"].errors
    assert list(errori) == [campo]
    assert 'value="Assemblea – statuto"' in response.content.decode()
    assert not RegolaVoto.objects.filter(ambito=ambito).exists()


def test_the_second_call_quorum_is_not_higher_than_the_first(client, staff, ambito):
    client.force_login(staff)
    response = client.post(
        reverse("tavoli:regola_nuova", args=[ambito.codice]),
        dati_regola(quorum_prima="33,33", quorum_seconda="50"),
    )
    assert list(response.context["form"].errors) == ["quorum_seconda"]


def test_the_form_explains_what_the_percentages_mean(client, staff, ambito):
    client.force_login(staff)
    html = client.get(reverse("tavoli:regola_nuova", args=[ambito.codice])).content.decode()
    assert "66,66" in html and "50" in html


def test_staff_edit_a_rule_of_the_ambito(client, staff, regola):
    TavoloFactory(ambito=regola.ambito, regola_voto=regola)
    client.force_login(staff)
    url = reverse("tavoli:regola_modifica", args=[regola.pk])
    response = client.get(url)
    assert response.context["num_tavoli"] == 1
    assert response.context["form"]["soglia"].value() in ("50", Decimal("50"))
    assert 'value="50"' in response.content.decode()
    response = client.post(url, dati_regola(nome="Regola rivista", soglia="50,5"))
    assert response.status_code == 302
    regola.refresh_from_db()
    assert (regola.nome, regola.soglia) == ("Regola rivista", Decimal("50.5"))
    assert AuditLog.objects.filter(action="regola_voto.modificata").exists()


def test_a_shared_preset_is_copied_to_the_ambito(client, staff, ambito):
    preset = RegolaVoto.objects.get(ambito__isnull=True, peso=RegolaVoto.Peso.POPOLAZIONE)
    client.force_login(staff)
    response = client.post(reverse("tavoli:regola_copia", args=[ambito.codice, preset.pk]))
    copia = RegolaVoto.objects.get(ambito=ambito)
    assert response.url == reverse("tavoli:regola_modifica", args=[copia.pk])
    assert preset.nome in copia.nome
    assert (copia.peso, copia.maggioranza, copia.soglia, copia.quorum_prima) == (
        preset.peso,
        preset.maggioranza,
        preset.soglia,
        preset.quorum_prima,
    )
    preset.refresh_from_db()
    assert preset.ambito is None  # the preset itself is untouched


def test_only_a_shared_preset_can_be_copied(client, staff, ambito, altro_ambito):
    di_altri = RegolaVotoFactory(ambito=altro_ambito)
    client.force_login(staff)
    response = client.post(reverse("tavoli:regola_copia", args=[ambito.codice, di_altri.pk]))
    assert response.status_code == 404
    assert (
        client.get(reverse("tavoli:regola_copia", args=[ambito.codice, condivisa().pk])).status_code
        == 405
    )


def test_the_rules_of_another_ambito_are_not_listed(client, staff, ambito, altro_ambito, regola):
    RegolaVotoFactory(ambito=altro_ambito, nome="Regola di Destra Secchia")
    client.force_login(staff)
    response = client.get(reverse("tavoli:regole", args=[ambito.codice]))
    assert [r.nome for r in response.context["proprie"]] == [regola.nome]
    assert "Regola di Destra Secchia" not in response.content.decode()
    assert len(response.context["comuni"]) == RegolaVoto.objects.filter(ambito__isnull=True).count()


def test_the_side_menu_links_the_reference_data(client, sindaco, ambito):
    client.force_login(sindaco)
    html = client.get(reverse("ambiti:dashboard", args=[ambito.codice])).content.decode()
    assert reverse("tavoli:aree_policy", args=[ambito.codice]) in html
    assert reverse("tavoli:regole", args=[ambito.codice]) in html
    assert f"{reverse('tavoli:list')}?ambito={ambito.codice}" in html
