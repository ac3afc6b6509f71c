import datetime

import factory
from django.utils import timezone

from ambiti.models import Ente
from terzo_settore.models import Avviso, Domanda, Organizzazione, Referente
from tests.ambiti.factories import AmbitoFactory
from tests.pdz.factories import UserFactory


def codice_fiscale_ente(n):
    """A valid 11-digit codice fiscale of a body, different for every ``n``."""
    from localflavor.it.util import vat_number_check_digit

    first_ten = f"{9000000000 + n:010d}"
    return first_ten + vat_number_check_digit(first_ten)


class OrganizzazioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organizzazione

    ente = factory.SubFactory("tests.terzo_settore.factories.EnteTerzoSettoreFactory")
    forma_giuridica = Organizzazione.FormaGiuridica.APS
    sezione_runts = Organizzazione.SezioneRunts.APS
    numero_repertorio = factory.Sequence(lambda n: str(10000 + n))
    rappresentante_legale = factory.Faker("name", locale="it_IT")


class EnteTerzoSettoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ente

    tipo = Ente.Tipo.TERZO_SETTORE
    denominazione = factory.Sequence(lambda n: f"Associazione di prova {n}")
    codice_fiscale = factory.Sequence(codice_fiscale_ente)
    email = factory.Sequence(lambda n: f"associazione{n}@example.org")


class ReferenteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referente

    organizzazione = factory.SubFactory(OrganizzazioneFactory)
    user = factory.SubFactory(UserFactory)
    gestore = True
    stato = Referente.Stato.ATTIVO


class AvvisoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Avviso

    ambito = factory.SubFactory(AmbitoFactory)
    tipo = Avviso.Tipo.ADESIONE
    titolo = factory.Sequence(lambda n: f"Avviso di prova {n}")
    testo = "Gli enti del Terzo settore possono aderire al Piano di Zona."
    apertura = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=7))
    chiusura = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    stato = Avviso.Stato.PUBBLICATO
    pubblicato_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)


class DomandaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Domanda

    avviso = factory.SubFactory(AvvisoFactory)
    ambito = factory.SelfAttribute("avviso.ambito")
    organizzazione = factory.SubFactory(OrganizzazioneFactory)
    created_by = factory.SubFactory(UserFactory)
