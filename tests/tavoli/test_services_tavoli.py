"""Members of a body: by hand, from the organisations admitted under a manifestazione
d'interesse, and the comuni with their mayors for the Assemblea dei Sindaci."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambiti.models import Ruolo
from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from tavoli import services
from tavoli.models import Membro, Tavolo
from terzo_settore.models import Avviso, Domanda, TavoloOfferto
from tests.ambiti.factories import AppartenenzaFactory, ComuneFactory, EnteFactory, RuoloFactory
from tests.pdz.factories import UserFactory
from tests.tavoli.factories import MembroFactory, TavoloFactory
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory, OrganizzazioneFactory

# --- by hand --------------------------------------------------------------------------------


@pytest.fixture
def tavolo(ambito):
    return TavoloFactory(ambito=ambito, nome="Tavolo adulti e fragilità")


def test_a_party_sits_once_at_a_body(tavolo, staff):
    ente = EnteFactory(denominazione="ASST di Cremona")
    membro = services.aggiungi_membro(
        tavolo,
        ente=ente,
        by=staff,
        delegato_nome="Anna Rossi",
        delegato_email="anna@example.org",
        ruolo=Membro.Ruolo.PRESIDENTE,
    )
    assert membro.ruolo == Membro.Ruolo.PRESIDENTE
    assert AuditLog.objects.filter(action="membro.aggiunto", object_id=str(membro.pk)).exists()

    with pytest.raises(OperazioneNonValida, match="already a member"):
        services.aggiungi_membro(
            tavolo, ente=ente, by=staff, delegato_nome="Altro", delegato_email="x@example.org"
        )

    services.rimuovi_membro(membro, by=staff)
    # Once removed, the party may be seated again; the old membership stays on record.
    di_nuovo = services.aggiungi_membro(
        tavolo, ente=ente, by=staff, delegato_nome="Bea Neri", delegato_email="bea@example.org"
    )
    assert di_nuovo.pk != membro.pk
    assert Membro.objects.filter(tavolo=tavolo, ente=ente).count() == 2


def test_a_removed_member_cannot_be_edited_and_removing_twice_is_harmless(tavolo, staff):
    membro = MembroFactory(tavolo=tavolo)
    membro = services.modifica_membro(membro, by=staff, delegato_nome="Nuovo delegato")
    assert Membro.objects.get(pk=membro.pk).delegato_nome == "Nuovo delegato"

    rimosso = services.rimuovi_membro(membro, by=staff)
    quando = rimosso.rimosso_at
    assert services.rimuovi_membro(membro, by=staff).rimosso_at == quando

    with pytest.raises(OperazioneNonValida, match="removed"):
        services.modifica_membro(membro, by=staff, delegato_nome="Ancora")


def test_the_representative_is_the_delegate_or_the_substitute_whatever_the_case(tavolo):
    membro = MembroFactory(
        tavolo=tavolo, delegato_email="Anna@Example.org", supplente_email="carla@example.org"
    )

    assert membro.rappresenta("anna@example.org")
    assert membro.rappresenta("CARLA@example.org")
    assert not membro.rappresenta("bruno@example.org")
    assert not membro.rappresenta("")
    assert list(Membro.objects.di_persona("ANNA@example.org")) == [membro]


# --- from a manifestazione d'interesse --------------------------------------------------------


@pytest.fixture
def manifestazione(ambito):
    avviso = AvvisoFactory(
        ambito=ambito, tipo=Avviso.Tipo.MANIFESTAZIONE, titolo="Manifestazione tavoli 2026"
    )
    anziani = TavoloOfferto.objects.create(avviso=avviso, nome="Tavolo anziani", ordine=1)
    minori = TavoloOfferto.objects.create(avviso=avviso, nome="Tavolo minori", ordine=2)
    return avviso, anziani, minori


def domanda(avviso, nome, stato, tavoli, **kwargs):
    organizzazione = OrganizzazioneFactory(
        ente__denominazione=nome, rappresentante_legale=f"Presidente {nome}"
    )
    d = DomandaFactory(avviso=avviso, organizzazione=organizzazione, stato=stato, **kwargs)
    d.tavoli.set(tavoli)
    return d


def test_the_admitted_organisations_that_chose_the_table_are_seated(manifestazione, ambito, staff):
    avviso, anziani, minori = manifestazione
    tavolo = TavoloFactory(ambito=ambito, nome="Tavolo anziani", tavolo_offerto=anziani)
    girasole = domanda(
        avviso,
        "Cooperativa Il Girasole",
        Domanda.Stato.AMMESSA,
        [anziani, minori],
        delegato_nome="Giulia Conti",
        delegato_email="giulia@girasole.example.org",
        supplente_nome="Marco Bassi",
        supplente_email="marco@girasole.example.org",
    )
    # Admitted without naming a delegate: the legal representative at the party's address.
    auser = domanda(avviso, "Auser Casalmaggiore", Domanda.Stato.AMMESSA, [anziani])
    domanda(avviso, "ODV Non Ammessa", Domanda.Stato.NON_AMMESSA, [anziani])
    domanda(avviso, "APS In Istruttoria", Domanda.Stato.IN_ISTRUTTORIA, [anziani])
    domanda(avviso, "APS Solo Minori", Domanda.Stato.AMMESSA, [minori])

    aggiunti, presenti = services.importa_da_manifestazione(tavolo, by=staff)

    assert [m.ente.denominazione for m in aggiunti] == [
        "Auser Casalmaggiore",
        "Cooperativa Il Girasole",
    ]
    assert presenti == []
    membro = Membro.objects.get(tavolo=tavolo, ente=girasole.organizzazione.ente)
    assert (membro.delegato_nome, membro.delegato_email) == (
        "Giulia Conti",
        "giulia@girasole.example.org",
    )
    assert (membro.supplente_nome, membro.supplente_email) == (
        "Marco Bassi",
        "marco@girasole.example.org",
    )
    assert membro.domanda == girasole
    membro_auser = Membro.objects.get(tavolo=tavolo, ente=auser.organizzazione.ente)
    assert membro_auser.delegato_nome == "Presidente Auser Casalmaggiore"
    assert membro_auser.delegato_email == auser.organizzazione.ente.email


def test_importing_again_adds_only_the_newly_admitted(manifestazione, ambito, staff):
    avviso, anziani, _minori = manifestazione
    tavolo = TavoloFactory(ambito=ambito, tavolo_offerto=anziani)
    domanda(avviso, "Cooperativa Il Girasole", Domanda.Stato.AMMESSA, [anziani])
    services.importa_da_manifestazione(tavolo, by=staff)
    ritardataria = domanda(avviso, "ODV Ritardataria", Domanda.Stato.IN_ISTRUTTORIA, [anziani])

    aggiunti, presenti = services.importa_da_manifestazione(tavolo, by=staff)
    assert (aggiunti, [e.denominazione for e in presenti]) == ([], ["Cooperativa Il Girasole"])

    Domanda.objects.filter(pk=ritardataria.pk).update(stato=Domanda.Stato.AMMESSA)
    aggiunti, presenti = services.importa_da_manifestazione(tavolo, by=staff)
    assert [m.ente.denominazione for m in aggiunti] == ["ODV Ritardataria"]
    assert Membro.objects.filter(tavolo=tavolo).count() == 2


def test_a_member_edited_by_hand_is_left_as_it_is(manifestazione, ambito, staff):
    avviso, anziani, _minori = manifestazione
    tavolo = TavoloFactory(ambito=ambito, tavolo_offerto=anziani)
    domanda(avviso, "Cooperativa Il Girasole", Domanda.Stato.AMMESSA, [anziani])
    [membro], _ = services.importa_da_manifestazione(tavolo, by=staff)
    services.modifica_membro(membro, by=staff, delegato_nome="Nuova delegata")

    services.importa_da_manifestazione(tavolo, by=staff)

    assert Membro.objects.get(tavolo=tavolo).delegato_nome == "Nuova delegata"


def test_a_body_not_offered_by_a_manifestazione_cannot_import(tavolo, staff):
    with pytest.raises(OperazioneNonValida, match="manifestazione"):
        services.importa_da_manifestazione(tavolo, by=staff)


# --- the Assemblea dei Sindaci ------------------------------------------------------------------


@pytest.fixture
def assemblea(ambito):
    return TavoloFactory(
        ambito=ambito, tipo=Tavolo.Tipo.ASSEMBLEA_SINDACI, nome="Assemblea dei Sindaci"
    )


def test_the_comuni_sit_with_their_mayor_and_the_mayors_delegate(assemblea, ambito, sindaco, staff):
    casalmaggiore = ambito.enti.get(comune__nome="Casalmaggiore")
    assessore = UserFactory(email="assessore@example.org", full_name="Sara Ferrari")
    RuoloFactory(
        user=assessore, ambito=ambito, tipo=Ruolo.Tipo.DELEGATO_SINDACO, ente=casalmaggiore
    )

    aggiunti, senza_sindaco = services.aggiungi_comuni(assemblea, by=staff)

    [membro] = aggiunti
    assert membro.ente == casalmaggiore
    assert (membro.delegato_nome, membro.delegato_email) == (
        "Filippo Bongiovanni",
        "filippo@example.org",
    )
    assert (membro.supplente_nome, membro.supplente_email) == (
        "Sara Ferrari",
        "assessore@example.org",
    )
    assert membro.diritto_voto
    assert [e.denominazione for e in senza_sindaco] == ["Comune di Viadana"]


def test_adding_the_comuni_again_adds_those_who_now_have_a_mayor(assemblea, ambito, sindaco, staff):
    services.aggiungi_comuni(assemblea, by=staff)
    viadana = ambito.enti.get(comune__nome="Viadana")
    RuoloFactory(
        user=UserFactory(email="sindaco.viadana@example.org", full_name="Nicola Cavatorta"),
        ambito=ambito,
        tipo=Ruolo.Tipo.SINDACO,
        ente=viadana,
    )

    aggiunti, senza_sindaco = services.aggiungi_comuni(assemblea, by=staff)

    assert [m.ente for m in aggiunti] == [viadana]
    assert senza_sindaco == []
    assert assemblea.membri.attivi().count() == 2


def test_a_revoked_mayor_or_a_comune_that_left_the_ambito_is_not_seated(
    assemblea, ambito, sindaco, staff
):
    Ruolo.objects.filter(user=sindaco).update(revocato_at=timezone.now())
    ex = ComuneFactory(codice_catastale="B110", nome="Comune uscito")
    AppartenenzaFactory(
        ambito=ambito,
        comune=ex,
        dal=timezone.localdate() - timedelta(days=800),
        al=timezone.localdate() - timedelta(days=30),
    )
    EnteFactory(tipo="comune", denominazione="Comune uscito", comune=ex)

    aggiunti, senza_sindaco = services.aggiungi_comuni(assemblea, by=staff)

    assert aggiunti == []
    assert sorted(e.denominazione for e in senza_sindaco) == [
        "Comune di Casalmaggiore",
        "Comune di Viadana",
    ]


def test_a_body_spanning_two_ambiti_seats_the_comuni_of_both(
    assemblea, ambito, altro_ambito, sindaco, staff
):
    comune = ComuneFactory(codice_catastale="D150", nome="Cremona")
    AppartenenzaFactory(ambito=altro_ambito, comune=comune)
    ente = EnteFactory(tipo="comune", denominazione="Comune di Cremona", comune=comune)
    RuoloFactory(
        user=UserFactory(email="sindaco.cremona@example.org", full_name="Andrea Virgilio"),
        ambito=altro_ambito,
        tipo=Ruolo.Tipo.SINDACO,
        ente=ente,
    )
    assemblea.ambiti_coinvolti.add(altro_ambito)

    aggiunti, _senza = services.aggiungi_comuni(assemblea, by=staff)

    assert sorted(m.ente.denominazione for m in aggiunti) == [
        "Comune di Casalmaggiore",
        "Comune di Cremona",
    ]
