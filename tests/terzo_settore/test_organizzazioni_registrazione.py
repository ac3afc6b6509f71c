"""A signed-in person registers an organisation and becomes its managing referente."""

import pytest
from django.core import mail
from django.urls import reverse
from localflavor.it.util import vat_number_check_digit

from ambiti.models import AreaUtenza, Comune, Ente
from pdz.models import AuditLog
from terzo_settore.models import Organizzazione, Referente
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory

REGISTRA = reverse("terzo_settore:registra_organizzazione")


def cf(first_ten):
    return first_ten + vat_number_check_digit(first_ten)


CF = cf("9002345019")
CF_SBAGLIATO = CF[:-1] + str((int(CF[-1]) + 1) % 10)


def dati(ambito, **overrides):
    """What a person types to register "Associazione Il Ponte APS"."""
    casalmaggiore = Comune.objects.get(codice_catastale="B898")
    viadana = Comune.objects.get(codice_catastale="L826")
    famiglia = AreaUtenza.objects.get_or_create(ambito=None, nome="Famiglia e minori")[0]
    data = {
        "denominazione": "Associazione  Il Ponte APS",
        "forma_giuridica": Organizzazione.FormaGiuridica.APS,
        "codice_fiscale": CF,
        "partita_iva": "",
        "iscrizione": Organizzazione.Iscrizione.RUNTS,
        "sezione_runts": Organizzazione.SezioneRunts.APS,
        "numero_repertorio": "48213",
        "sede_q": "Viad",
        "sede": viadana.pk,
        "indirizzo": "Piazza Manzoni 4, 46019",
        "ambiti": [ambito.pk],
        "sedi_operative": [viadana.pk, casalmaggiore.pk],
        "pec": "ilponte@pec.example.org",
        "email": "info@ilponte.example.org",
        "telefono": "0375 123456",
        "sito_web": "ilponte.example.org",
        "rappresentante_legale": "Marco Gandolfi",
        "aree": [famiglia.pk],
        "descrizione": "Doposcuola e corsi di italiano.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_anonymous_visitor_is_told_to_sign_up_or_sign_in_first(client, db):
    response = client.get(REGISTRA)
    assert response.status_code == 200
    signup = reverse("account_signup") + "?next=" + REGISTRA.replace("/", "%2F")
    login = reverse("account_login") + "?next=" + REGISTRA.replace("/", "%2F")
    assert response.context["registrati_url"] == signup
    assert response.context["accedi_url"] == login
    assert signup.encode() in response.content.replace(b"&amp;", b"&")
    assert "form" not in response.context


def test_anonymous_post_registers_nothing(client, ambito):
    client.post(REGISTRA, dati(ambito))
    assert not Organizzazione.objects.exists()


def test_registration_creates_the_organisation_with_its_maker_as_managing_referente(
    signed_in, alice, ambito
):
    response = signed_in.get(REGISTRA)
    assert response.status_code == 200
    # With a single ambito on the site, it is already ticked.
    assert response.context["form"].initial["ambiti"] == [ambito.pk]

    response = signed_in.post(REGISTRA, dati(ambito))

    organizzazione = Organizzazione.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("terzo_settore:organizzazione", args=[organizzazione.pk])
    ente = organizzazione.ente
    assert ente.denominazione == "Associazione Il Ponte APS"
    assert ente.tipo == Ente.Tipo.TERZO_SETTORE
    assert ente.codice_fiscale == CF
    assert ente.sede.codice_catastale == "L826"
    assert ente.email == "info@ilponte.example.org"
    assert list(ente.ambiti.all()) == [ambito]
    assert organizzazione.sezione_runts == "b"
    assert organizzazione.numero_repertorio == "48213"
    assert organizzazione.sito_web == "https://ilponte.example.org"
    assert sorted(c.codice_catastale for c in organizzazione.sedi_operative.all()) == [
        "B898",
        "L826",
    ]
    assert [a.nome for a in organizzazione.aree.all()] == ["Famiglia e minori"]
    referente = Referente.objects.get()
    assert (referente.user, referente.gestore, referente.stato) == (alice, True, "attivo")
    assert AuditLog.objects.filter(action="organizzazione.registrata", user=alice).exists()

    page = signed_in.get(response.url)
    assert page.status_code == 200
    assert b"Associazione Il Ponte APS" in page.content
    assert [str(m) for m in page.context["messages"]]


def test_tax_code_and_vat_number_are_accepted_as_people_type_them(signed_in, ambito):
    spaced = f"IT {CF[:5]} {CF[5:]}"
    signed_in.post(REGISTRA, dati(ambito, codice_fiscale=spaced, partita_iva=spaced))
    ente = Ente.objects.get(tipo=Ente.Tipo.TERZO_SETTORE)
    assert (ente.codice_fiscale, ente.partita_iva) == (CF, CF)


def test_wrong_check_digit_is_an_error_next_to_the_field_and_keeps_what_was_typed(
    signed_in, ambito
):
    response = signed_in.post(REGISTRA, dati(ambito, codice_fiscale=CF_SBAGLIATO))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["codice_fiscale"]
    assert form.errors.as_data()["codice_fiscale"][0].code == "controllo"
    content = response.content.decode()
    assert 'id="error_1_id_codice_fiscale"' in content or "invalid-feedback" in content
    assert f'value="{CF_SBAGLIATO}"' in content
    assert 'value="Associazione  Il Ponte APS"' in content
    assert 'value="Marco Gandolfi"' in content
    assert "Doposcuola e corsi di italiano." in content
    # the chosen municipality is still chosen
    viadana = Comune.objects.get(codice_catastale="L826")
    assert f'<option value="{viadana.pk}" selected>' in content
    assert not Organizzazione.objects.exists()


@pytest.mark.parametrize(
    "codice, code",
    [("1234567890", "formato"), ("9002345019X", "formato"), ("RSSMRA80A01H501U", "formato")],
    ids=["ten-digits", "letter", "person"],
)
def test_a_tax_code_that_is_not_a_body_s_is_refused(signed_in, ambito, codice, code):
    response = signed_in.post(REGISTRA, dati(ambito, codice_fiscale=codice))
    assert response.context["form"].errors.as_data()["codice_fiscale"][0].code == code
    assert not Organizzazione.objects.exists()


def test_wrong_vat_number_is_an_error_next_to_the_field(signed_in, ambito):
    response = signed_in.post(REGISTRA, dati(ambito, partita_iva=CF_SBAGLIATO))
    assert list(response.context["form"].errors) == ["partita_iva"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"sezione_runts": ""}, "sezione_runts"),
        ({"numero_repertorio": ""}, "numero_repertorio"),
        ({"numero_repertorio": "48-213/A"}, "numero_repertorio"),
        ({"sezione_runts": "a"}, "sezione_runts"),  # an APS belongs in section b
        ({"iscrizione": "registro_imprese"}, "iscrizione"),  # not a cooperative
        ({"iscrizione": "altro"}, "iscrizione"),
        ({"sede": ""}, "sede"),
        ({"ambiti": []}, "ambiti"),
        ({"aree": []}, "aree"),
        ({"email": "non-una-mail"}, "email"),
        ({"telefono": "chiamatemi"}, "telefono"),
        ({"sito_web": "http://"}, "sito_web"),
    ],
)
def test_bad_registration_details_get_an_error_next_to_the_field(
    signed_in, ambito, overrides, field
):
    response = signed_in.post(REGISTRA, dati(ambito, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Organizzazione.objects.exists()


def test_cooperative_registered_through_the_registro_imprese_needs_no_runts_number(
    signed_in, ambito
):
    signed_in.post(
        REGISTRA,
        dati(
            ambito,
            forma_giuridica="coop_b",
            iscrizione="registro_imprese",
            sezione_runts="b",
            numero_repertorio="",
        ),
    )
    organizzazione = Organizzazione.objects.get()
    assert organizzazione.iscrizione == "registro_imprese"
    assert (organizzazione.sezione_runts, organizzazione.numero_repertorio) == ("", "")


def test_registration_pending_keeps_no_runts_details(signed_in, ambito):
    signed_in.post(REGISTRA, dati(ambito, iscrizione="in_corso", numero_repertorio="12 a"))
    organizzazione = Organizzazione.objects.get()
    assert organizzazione.iscrizione == "in_corso"
    assert (organizzazione.sezione_runts, organizzazione.numero_repertorio) == ("", "")


def test_operating_offices_must_be_in_the_chosen_ambiti(signed_in, ambito, altro_ambito):
    fuori = ComuneFactory(codice_catastale="H143", nome="Quistello", provincia="MN")
    AppartenenzaFactory(ambito=altro_ambito, comune=fuori)
    response = signed_in.get(REGISTRA)
    # with two ambiti the municipalities come in one group per ambito
    groups = [label for label, _ in response.context["form"].fields["sedi_operative"].choices]
    assert groups == [altro_ambito.nome, ambito.nome]

    response = signed_in.post(REGISTRA, dati(ambito, sedi_operative=[fuori.pk]))
    assert "sedi_operative" in response.context["form"].errors

    signed_in.post(
        REGISTRA, dati(ambito, ambiti=[ambito.pk, altro_ambito.pk], sedi_operative=[fuori.pk])
    )
    assert [c.nome for c in Organizzazione.objects.get().sedi_operative.all()] == ["Quistello"]


def test_an_ambito_s_own_area_needs_that_ambito(signed_in, ambito, altro_ambito):
    propria = AreaUtenza.objects.create(ambito=altro_ambito, nome="Giovani", ordine=9)
    response = signed_in.post(REGISTRA, dati(ambito, aree=[propria.pk]))
    assert "aree" in response.context["form"].errors
    signed_in.post(
        REGISTRA, dati(ambito, ambiti=[altro_ambito.pk], sedi_operative=[], aree=[propria.pk])
    )
    assert [a.nome for a in Organizzazione.objects.get().aree.all()] == ["Giovani"]


# --- the registered office: server-side search, JSON for the enhancement -----------------


def test_finding_the_municipality_without_javascript_keeps_everything_typed(signed_in, ambito):
    ComuneFactory(codice_catastale="H652", nome="Sabbioneta", provincia="MN")
    data = dati(ambito, sede="", sede_q="sabbion", cerca_sede="1", codice_fiscale=CF_SBAGLIATO)

    response = signed_in.post(REGISTRA, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert not form.errors  # a search is not a submission: nothing is judged yet
    sabbioneta = Comune.objects.get(codice_catastale="H652")
    assert [c.pk for c in form.fields["sede"].queryset] == [sabbioneta.pk]
    content = response.content.decode()
    assert f'<option value="{sabbioneta.pk}" selected>' in content  # the only match is chosen
    assert 'value="Marco Gandolfi"' in content
    assert f'value="{CF_SBAGLIATO}"' in content
    assert "is-invalid" not in content
    assert not Organizzazione.objects.exists()


def test_search_lists_the_matching_municipalities_and_keeps_the_chosen_one(signed_in, ambito):
    ComuneFactory(codice_catastale="H652", nome="Sabbioneta", provincia="MN")
    ComuneFactory(codice_catastale="I005", nome="San Martino dall'Argine", provincia="MN")
    viadana = Comune.objects.get(codice_catastale="L826")
    response = signed_in.post(REGISTRA, dati(ambito, sede_q="sa", cerca_sede="1"))
    names = [c.nome for c in response.context["form"].fields["sede"].queryset]
    # "sa" also matches Casalmaggiore; Viadana stays because it is the chosen one
    assert names == ["Casalmaggiore", "Sabbioneta", "San Martino dall'Argine", "Viadana"]
    assert f'<option value="{viadana.pk}" selected>' in response.content.decode()


def test_a_municipality_not_offered_cannot_be_posted(signed_in, ambito):
    inattivo = ComuneFactory(codice_catastale="Z999", nome="Comune soppresso", attivo=False)
    response = signed_in.post(REGISTRA, dati(ambito, sede=inattivo.pk))
    assert "sede" in response.context["form"].errors
    response = signed_in.post(REGISTRA, dati(ambito, sede="not-a-number"))
    assert "sede" in response.context["form"].errors


def test_json_search_of_municipalities(client, ambito):
    ComuneFactory(codice_catastale="H652", nome="Sabbioneta", provincia="MN")
    url = reverse("terzo_settore:comuni_json")
    assert client.get(url, {"q": "s"}).json() == {"results": [], "more": False}
    results = client.get(url, {"q": "SA"}).json()["results"]
    # names starting with the letters come first
    assert [r["label"] for r in results] == ["Sabbioneta (MN)", "Casalmaggiore (CR)"]
    assert client.post(url, {"q": "sa"}).status_code == 405


def test_json_search_returns_at_most_fifty(client, db):
    Comune.objects.bulk_create(
        Comune(codice_catastale=f"Q{n:03d}", nome=f"Paese {n}", provincia="CR", regione="LOM")
        for n in range(80)
    )
    found = client.get(reverse("terzo_settore:comuni_json"), {"q": "paese"}).json()
    assert (len(found["results"]), found["more"]) == (50, True)


def test_search_without_javascript_says_when_there_are_too_many(signed_in, ambito):
    Comune.objects.bulk_create(
        Comune(codice_catastale=f"Q{n:03d}", nome=f"Paese {n}", provincia="CR", regione="LOM")
        for n in range(80)
    )
    response = signed_in.post(REGISTRA, dati(ambito, sede="", sede_q="paese", cerca_sede="1"))
    form = response.context["form"]
    assert (form.sede_troppi, form.fields["sede"].queryset.count()) == (True, 50)


# --- an organisation is never registered twice ----------------------------------------


def test_duplicate_tax_code_offers_to_ask_to_join(signed_in, ambito, referente):
    girasole = Organizzazione.objects.get(ente__denominazione="Cooperativa sociale Il Girasole")
    codice = girasole.ente.codice_fiscale

    response = signed_in.post(REGISTRA, dati(ambito, codice_fiscale=codice))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.as_data()["codice_fiscale"][0].code == "duplicato"
    assert response.context["esistente_organizzazione"] == girasole
    join = reverse("terzo_settore:entra_organizzazione") + f"?codice_fiscale={codice}"
    assert join.encode() in response.content
    assert b"Cooperativa sociale Il Girasole" in response.content
    assert Organizzazione.objects.count() == 1
    assert not mail.outbox


def test_duplicate_of_a_party_that_is_not_an_organisation_points_to_the_ufficio(signed_in, ambito):
    Ente.objects.create(tipo=Ente.Tipo.ALTRO, denominazione="Caritas", codice_fiscale=CF)
    response = signed_in.post(REGISTRA, dati(ambito))
    assert response.context["form"].errors.as_data()["codice_fiscale"][0].code == "duplicato"
    assert response.context["esistente_organizzazione"] is None
    assert (reverse("terzo_settore:entra_organizzazione") + "?").encode() not in response.content
    assert not Organizzazione.objects.exists()


def test_race_on_the_same_tax_code_is_told_next_to_the_field(signed_in, ambito, monkeypatch):
    # The other registration commits between the form's check and the service's.
    from terzo_settore import services

    real = services.registra_organizzazione

    def late(**kwargs):
        Ente.objects.create(tipo=Ente.Tipo.TERZO_SETTORE, denominazione="Altro", codice_fiscale=CF)
        return real(**kwargs)

    monkeypatch.setattr(services, "registra_organizzazione", late)
    response = signed_in.post(REGISTRA, dati(ambito))
    assert response.status_code == 200
    assert "codice_fiscale" in response.context["form"].errors
    assert not Organizzazione.objects.exists()
