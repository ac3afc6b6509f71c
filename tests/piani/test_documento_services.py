"""The services of the plan and its document: each checks the state, changes it and logs."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from piani.models import Piano, VersionePiano
from piani.services import documento as services
from tests.piani import test_piano_views as pagine
from tests.piani.factories import AzioneFactory, ObiettivoFactory, VoceBudgetFactory
from tests.piani.test_piano_views import PDF, approva

_media = pagine._media
piano = pagine.piano


def test_a_second_plan_for_the_same_years_is_refused(ambito, staff, piano):
    with pytest.raises(OperazioneNonValida, match="already has a plan"):
        services.crea_piano(ambito=ambito, anno_inizio=2025, titolo="Doppione", by=staff)


def test_change_title_and_years(staff, piano):
    services.modifica_piano(piano, titolo="Piano di Zona 2026-2028", anno_inizio=2026, by=staff)
    piano.refresh_from_db()
    assert (piano.titolo, piano.anno_inizio, piano.anno_fine) == (
        "Piano di Zona 2026-2028",
        2026,
        2028,
    )
    voce = AuditLog.objects.get(action="piano.modificato")
    assert voce.data == {
        "titolo": ["Piano di Zona 2025-2027", "Piano di Zona 2026-2028"],
        "anno_inizio": [2025, 2026],
    }


def test_nothing_changed_nothing_logged(staff, piano):
    services.modifica_piano(piano, titolo=piano.titolo, anno_inizio=piano.anno_inizio, by=staff)
    assert not AuditLog.objects.filter(action="piano.modificato").exists()


def test_years_fixed_after_a_version(staff, piano):
    services.congela_versione(piano, motivo=VersionePiano.Motivo.MANUALE, by=staff)
    with pytest.raises(OperazioneNonValida, match="can no longer change"):
        services.modifica_piano(piano, titolo=piano.titolo, anno_inizio=2026, by=staff)


@pytest.mark.parametrize("che_cosa", ["obiettivo", "azione", "voce"])
def test_years_cannot_leave_the_plans_content_outside(staff, piano, che_cosa):
    if che_cosa == "obiettivo":
        ObiettivoFactory(piano=piano, anno_da=2025, anno_a=2025)
    elif che_cosa == "azione":
        AzioneFactory(obiettivo=ObiettivoFactory(piano=piano, anno_da=2026), anno=2025)
    else:
        VoceBudgetFactory(piano=piano, anno=2025)
    with pytest.raises(OperazioneNonValida, match="fall outside the new years"):
        services.modifica_piano(piano, titolo=piano.titolo, anno_inizio=2026, by=staff)
    # Removed ones do not count.
    piano.obiettivi.update(rimosso_at=timezone.now())
    piano.voci_budget.update(rimosso_at=timezone.now())
    services.modifica_piano(piano, titolo=piano.titolo, anno_inizio=2026, by=staff)


def test_a_phase_done_is_logged_as_such(staff, piano):
    fase = piano.fasi.get(numero=3)
    dati = {"inizio": None, "fine": None, "responsabile": "", "note": ""}
    services.aggiorna_fase(
        fase, by=staff, tavoli=[], incontri=[], avvisi=[], completata_il=None, **dati
    )
    services.aggiorna_fase(
        fase,
        by=staff,
        tavoli=[],
        incontri=[],
        avvisi=[],
        completata_il=datetime.date(2025, 2, 1),
        **dati,
    )
    azioni = list(AuditLog.objects.order_by("pk").values_list("action", flat=True))
    assert azioni[-2:] == ["piano.fase_modificata", "piano.fase_completata"]


def test_a_phase_cannot_end_before_it_starts(staff, piano):
    with pytest.raises(OperazioneNonValida):
        services.aggiorna_fase(
            piano.fasi.get(numero=1),
            by=staff,
            tavoli=[],
            incontri=[],
            avvisi=[],
            inizio=datetime.date(2025, 2, 1),
            fine=datetime.date(2025, 1, 1),
        )


def test_saving_the_same_text_changes_nothing(staff, piano):
    sezione = piano.sezioni.get(lettera="a")
    services.salva_sezione(sezione, testo=sezione.testo, by=staff)
    assert not AuditLog.objects.filter(action="piano.sezione_modificata").exists()


def test_removing_an_attachment_twice(staff, piano):
    allegato = services.aggiungi_allegato(
        piano,
        titolo="Studio",
        file=SimpleUploadedFile("studio.pdf", PDF, "application/pdf"),
        by=staff,
    )
    primo = services.rimuovi_allegato(allegato, by=staff)
    secondo = services.rimuovi_allegato(allegato, by=staff)
    assert primo.rimosso_at == secondo.rimosso_at
    assert AuditLog.objects.filter(action="piano.allegato_rimosso").count() == 1


def test_a_removed_attachment_leaves_the_next_version(staff, piano):
    allegato = services.aggiungi_allegato(
        piano,
        titolo="Studio",
        file=SimpleUploadedFile("studio.pdf", PDF, "application/pdf"),
        by=staff,
    )
    v1 = services.salva_versione_manuale(piano, by=staff)
    services.rimuovi_allegato(allegato, by=staff)
    v2 = services.salva_versione_manuale(piano, by=staff)
    assert v1.contenuto["allegati"] == [{"id": allegato.pk, "titolo": "Studio"}]
    assert v2.contenuto["allegati"] == []


def test_publish_only_once_and_only_approved(staff, piano):
    with pytest.raises(OperazioneNonValida, match="Only an approved plan"):
        services.pubblica_piano(piano, by=staff)
    piano.stato = Piano.Stato.RESPINTO
    piano.save()
    with pytest.raises(OperazioneNonValida, match="Only an approved plan"):
        services.pubblica_piano(piano, by=staff)
    approva(piano, staff)
    services.pubblica_piano(piano, by=staff)
    with pytest.raises(OperazioneNonValida, match="already published"):
        services.pubblica_piano(piano, by=staff)
