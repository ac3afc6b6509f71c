from datetime import timedelta

import factory
from django.utils import timezone

from tavoli.models import Incontro, Membro, PuntoOdg, RegolaVoto, Tavolo
from tests.ambiti.factories import AmbitoFactory, EnteFactory
from tests.pdz.factories import UserFactory


class RegolaVotoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegolaVoto

    nome = factory.Sequence(lambda n: f"Regola {n}")
    peso = RegolaVoto.Peso.TESTA
    maggioranza = RegolaVoto.Maggioranza.PRESENTI
    soglia = 50
    quorum_prima = 50
    quorum_seconda = 0


class TavoloFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tavolo

    ambito = factory.SubFactory(AmbitoFactory)
    tipo = Tavolo.Tipo.AREA
    nome = factory.Sequence(lambda n: f"Tavolo di prova {n}")


class MembroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membro

    tavolo = factory.SubFactory(TavoloFactory)
    ente = factory.SubFactory(EnteFactory)
    delegato_nome = factory.Sequence(lambda n: f"Delegato {n}")
    delegato_email = factory.Sequence(lambda n: f"delegato{n}@example.org")


class IncontroFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incontro

    tavolo = factory.SubFactory(TavoloFactory)
    titolo = factory.Sequence(lambda n: f"Seduta {n}")
    inizio = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=10)).replace(
            hour=15, minute=30, second=0, microsecond=0
        )
    )
    fine = factory.LazyAttribute(lambda o: o.inizio + timedelta(hours=2))
    luogo = "Sala consiliare, Piazza Garibaldi 26, Casalmaggiore"
    created_by = factory.SubFactory(UserFactory)


class PuntoOdgFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PuntoOdg

    incontro = factory.SubFactory(IncontroFactory)
    numero = factory.Sequence(lambda n: n + 1)
    titolo = factory.Sequence(lambda n: f"Punto {n}")
