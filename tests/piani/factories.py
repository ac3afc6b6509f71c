from decimal import Decimal

import factory

from piani.models import (
    Azione,
    FonteFinanziamento,
    Indicatore,
    Obiettivo,
    Piano,
    VoceBudget,
)
from piani.services.documento import crea_piano
from tests.ambiti.factories import AmbitoFactory
from tests.pdz.factories import UserFactory


def piano_con_sezioni(ambito=None, *, anno_inizio=2025, by=None, **testi):
    """A plan made as the staff make it (nine phases, sections a–h); ``testi`` fill sections:
    ``piano_con_sezioni(a="…", b="…")``."""
    piano = crea_piano(
        ambito=ambito or AmbitoFactory(),
        anno_inizio=anno_inizio,
        titolo=f"Piano di Zona {anno_inizio}-{anno_inizio + 2}",
        by=by or UserFactory(),
    )
    for lettera, testo in testi.items():
        piano.sezioni.filter(lettera=lettera).update(testo=testo)
    return piano


class PianoFactory(factory.django.DjangoModelFactory):
    """A bare plan row (no phases, no sections): use ``piano_con_sezioni`` for a real one."""

    class Meta:
        model = Piano

    ambito = factory.SubFactory(AmbitoFactory)
    anno_inizio = factory.Sequence(lambda n: 2025 + 3 * n)
    titolo = factory.LazyAttribute(lambda o: f"Piano di Zona {o.anno_inizio}-{o.anno_inizio + 2}")
    created_by = factory.SubFactory(UserFactory)


def fonte(codice):
    """A shared funding source of the data migration (created when a transactional test
    flushed it)."""
    nomi = {"fnps": "Fondo nazionale politiche sociali (FNPS)", "quote-comunali": "Quote comunali"}
    return FonteFinanziamento.objects.get_or_create(
        ambito=None,
        codice=codice,
        defaults={
            "nome": nomi.get(codice, codice),
            "tipo": "comunale" if codice == "quote-comunali" else "statale",
            "quote_comunali": codice == "quote-comunali",
        },
    )[0]


class FonteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FonteFinanziamento

    codice = factory.Sequence(lambda n: f"fonte-{n}")
    nome = factory.Sequence(lambda n: f"Fondo di prova {n}")
    tipo = FonteFinanziamento.Tipo.REGIONALE


class ObiettivoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Obiettivo

    piano = factory.SubFactory(PianoFactory)
    codice = factory.Sequence(lambda n: f"OB{n + 1}")
    titolo = factory.Sequence(lambda n: f"Obiettivo di prova {n + 1}")
    anno_da = factory.LazyAttribute(lambda o: o.piano.anno_inizio)
    anno_a = factory.LazyAttribute(lambda o: o.piano.anno_fine)


class AzioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Azione

    obiettivo = factory.SubFactory(ObiettivoFactory)
    anno = factory.LazyAttribute(lambda o: o.obiettivo.anno_da)
    titolo = factory.Sequence(lambda n: f"Azione di prova {n + 1}")


class IndicatoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicatore

    obiettivo = factory.SubFactory(ObiettivoFactory)
    nome = factory.Sequence(lambda n: f"Persone prese in carico {n + 1}")
    tipo = Indicatore.Tipo.OUTPUT
    unita = "persone"
    baseline = Decimal("100")
    target = Decimal("150")


class VoceBudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoceBudget

    piano = factory.SubFactory(PianoFactory)
    anno = factory.LazyAttribute(lambda o: o.piano.anno_inizio)
    fonte = factory.SubFactory(FonteFactory)
    tipo_spesa = VoceBudget.TipoSpesa.SERVIZI
    previsto = Decimal("10000.00")
