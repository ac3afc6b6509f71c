import factory

from ambiti.models import Ambito, AppartenenzaComune, Comune, Ente, Popolazione, Ruolo
from tests.pdz.factories import UserFactory


class ComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comune
        django_get_or_create = ["codice_catastale"]

    codice_catastale = factory.Sequence(
        lambda n: f"Z{n % 1000:03d}" if n < 1000 else f"Y{n % 1000:03d}"
    )
    nome = factory.Sequence(lambda n: f"Comune di prova {n}")
    provincia = "CR"
    regione = "LOM"


class PopolazioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Popolazione

    comune = factory.SubFactory(ComuneFactory)
    data_riferimento = factory.Faker("date_between", start_date="-3y", end_date="today")
    residenti = factory.Faker("random_int", min=300, max=20000)


class AmbitoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ambito

    codice = factory.Sequence(lambda n: f"ambito-{n}")
    nome = factory.Sequence(lambda n: f"Ambito di prova {n}")
    regione = "LOM"


class AppartenenzaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppartenenzaComune

    ambito = factory.SubFactory(AmbitoFactory)
    comune = factory.SubFactory(ComuneFactory)


class EnteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ente
        skip_postgeneration_save = True

    tipo = Ente.Tipo.ALTRO
    denominazione = factory.Sequence(lambda n: f"Ente di prova {n}")

    @factory.post_generation
    def ambiti(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.ambiti.add(*extracted)


class RuoloFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ruolo

    user = factory.SubFactory(UserFactory)
    ambito = factory.SubFactory(AmbitoFactory)
    tipo = Ruolo.Tipo.UFFICIO_PIANO
