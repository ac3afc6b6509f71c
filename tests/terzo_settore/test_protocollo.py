"""Protocol numbers: progressive per ambito and year, no gaps, no duplicates, also when many
organisations submit in the same instant (on PostgreSQL, with real concurrent transactions)."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from terzo_settore.models import ContatoreProtocollo, Domanda
from terzo_settore.services import invia_domanda
from tests.pdz.factories import UserFactory
from tests.terzo_settore.factories import AvvisoFactory, DomandaFactory

pytestmark = pytest.mark.django_db(transaction=True)

N = 20


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_twenty_simultaneous_submissions_get_the_numbers_1_to_20(ambito):
    user = UserFactory()
    avvisi = [AvvisoFactory(ambito=ambito), AvvisoFactory(ambito=ambito)]
    bozze = [DomandaFactory(avviso=avvisi[n % 2], created_by=user) for n in range(N)]
    barrier = threading.Barrier(N, timeout=30)
    errors = []

    def submit(pk):
        try:
            domanda = Domanda.objects.get(pk=pk)
            barrier.wait()  # everybody presses "submit" at the same moment
            invia_domanda(domanda, by=user)
        except Exception as error:  # reported below, with the thread's traceback lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(d.pk,)) for d in bozze]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    anno = timezone.localdate().year
    numeri = sorted(
        Domanda.objects.filter(ambito=ambito).values_list("protocollo_numero", flat=True)
    )
    assert numeri == list(range(1, N + 1))
    assert set(Domanda.objects.values_list("protocollo_anno", flat=True)) == {anno}
    assert ContatoreProtocollo.objects.get(ambito=ambito, anno=anno).ultimo == N
    # Every receipt went out once, after its own commit.
    assert Domanda.objects.filter(ricevuta_inviata_at__isnull=False).count() == N


def test_a_rolled_back_submission_does_not_use_up_a_number(ambito, altro_ambito):
    user = UserFactory()
    avviso = AvvisoFactory(ambito=ambito)
    prima, seconda = DomandaFactory(avviso=avviso), DomandaFactory(avviso=avviso)

    with pytest.raises(RuntimeError), transaction.atomic():
        invia_domanda(prima, by=user)
        raise RuntimeError("e.g. the server fails before the commit")

    prima.refresh_from_db()
    assert prima.stato == Domanda.Stato.BOZZA and prima.protocollo_numero is None
    assert mail.outbox == []  # no receipt for what never happened

    invia_domanda(seconda, by=user)
    invia_domanda(prima, by=user)
    prima.refresh_from_db()
    seconda.refresh_from_db()
    assert (seconda.protocollo_numero, prima.protocollo_numero) == (1, 2)

    # Each ambito counts on its own.
    altra = DomandaFactory(avviso=AvvisoFactory(ambito=altro_ambito))
    invia_domanda(altra, by=user)
    altra.refresh_from_db()
    assert altra.protocollo_numero == 1
