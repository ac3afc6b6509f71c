"""The consultation on a frozen version: who sees it, who comments (table members and
referenti of admitted organisations, on behalf of their party, while the window is open),
the staff's answers and outcomes, the report and its CSV, the invitation e-mail.

The personas: Giulia sits at the ambito's table for the elderly on behalf of the Caritas;
Marco is the referente of the Cooperativa Aurora, admitted by the ambito's notice; Elena
(``referente``) acts for the Cooperativa Il Girasole, whose application was not admitted;
Filippo is a mayor of the ambito (a participant who reads, but has no seat to comment from).
"""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ambiti.models import Ente
from pdz.exceptions import OperazioneNonValida
from pdz.models import AuditLog
from piani.models import Consultazione, Osservazione, Piano, VersionePiano
from piani.services.consultazione import apri_consultazione, chiudi_consultazione, osserva, rispondi
from terzo_settore.models import Domanda
from tests.ambiti.factories import EnteFactory
from tests.pdz.factories import UserFactory
from tests.piani.factories import piano_con_sezioni
from tests.tavoli.factories import MembroFactory, TavoloFactory
from tests.terzo_settore.factories import DomandaFactory, OrganizzazioneFactory, ReferenteFactory

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- personas and data (imported by the other test modules of this part) ----------------------


def _utente(email, nome):
    user = UserFactory(email=email, full_name=nome)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def outsider(db):
    """Someone signed in with no part in the ambito."""
    return _utente("ugo@example.org", "Ugo Esterno")


@pytest.fixture
def tavolo_anziani(ambito):
    return TavoloFactory(ambito=ambito, nome="Tavolo anziani e non autosufficienza")


@pytest.fixture
def caritas(ambito):
    return EnteFactory(denominazione="Caritas diocesana", ambiti=[ambito])


@pytest.fixture
def membro(ambito, tavolo_anziani, caritas):
    """Giulia represents the Caritas at the table for the elderly."""
    user = _utente("giulia@example.org", "Giulia Ferrari")
    MembroFactory(
        tavolo=tavolo_anziani,
        ente=caritas,
        delegato_nome="Giulia Ferrari",
        delegato_email="Giulia@Example.org",
        supplente_nome="Piero Supplente",
        supplente_email="piero@example.org",
    )
    return user


@pytest.fixture
def aurora(ambito):
    """The Cooperativa Aurora: admitted by the ambito's notice."""
    organizzazione = OrganizzazioneFactory(ente__denominazione="Cooperativa sociale Aurora")
    DomandaFactory(
        avviso__ambito=ambito, organizzazione=organizzazione, stato=Domanda.Stato.AMMESSA
    )
    return organizzazione


@pytest.fixture
def referente_ammesso(aurora):
    """Marco acts for the Cooperativa Aurora."""
    user = _utente("marco@example.org", "Marco Aurora")
    ReferenteFactory(organizzazione=aurora, user=user)
    return user


@pytest.fixture
def referente_non_ammesso(ambito, referente):
    """Elena's Cooperativa Il Girasole applied to the notice, but was not admitted."""
    organizzazione = referente.referenze.get().organizzazione
    DomandaFactory(
        avviso__ambito=ambito, organizzazione=organizzazione, stato=Domanda.Stato.NON_AMMESSA
    )
    return referente


@pytest.fixture
def piano(ambito, staff):
    return piano_con_sezioni(
        ambito,
        by=staff,
        a="Il sistema locale dei servizi comprende **tre** poli territoriali.",
        b="Obiettivi strategici: domiciliarità, inclusione, famiglie.",
    )


def consulta(piano, staff, *, apre=-1, chiude=24 * 7, istruzioni=""):
    """A consultation opening ``apre`` hours from now and closing ``chiude`` hours from now."""
    adesso = timezone.now()
    return apri_consultazione(
        piano,
        apre_at=adesso + timedelta(hours=apre),
        chiude_at=adesso + timedelta(hours=chiude),
        istruzioni=istruzioni,
        by=staff,
    )


@pytest.fixture
def consultazione(piano, staff, membro, referente_ammesso):
    return consulta(piano, staff, istruzioni="Segnalate in particolare i **bisogni** scoperti.")


def login(client, request, persona):
    if persona != "anonimo":
        client.force_login(request.getfixturevalue(persona))


def commenta(client, consultazione, sezione="a", testo="Manca il trasporto sociale.", **extra):
    chiave = "generale" if sezione == Osservazione.GENERALE else sezione
    dati = {f"oss-{chiave}-sezione": sezione, f"oss-{chiave}-testo": testo}
    dati.update({f"oss-{chiave}-{k}": v for k, v in extra.items()})
    return client.post(reverse("piani:consultazione", args=[consultazione.pk]), dati)


# --- opening ----------------------------------------------------------------------------------


def test_opening_freezes_a_version_and_sets_the_plan_in_consultation(piano, staff):
    consultazione = consulta(piano, staff)

    piano.refresh_from_db()
    assert piano.stato == Piano.Stato.CONSULTAZIONE
    versione = consultazione.versione
    assert versione.numero == 1
    assert versione.motivo == VersionePiano.Motivo.CONSULTAZIONE
    assert versione.contenuto["sezioni"][0]["testo"].startswith("Il sistema locale")
    assert AuditLog.objects.filter(action="consultazione.aperta").count() == 1


def test_the_window_must_close_after_it_opens_and_in_the_future(piano, staff):
    with pytest.raises(OperazioneNonValida, match="close after it opens"):
        consulta(piano, staff, apre=48, chiude=24)
    with pytest.raises(OperazioneNonValida, match="future"):
        consulta(piano, staff, apre=-48, chiude=-1)
    assert not Consultazione.objects.exists()
    assert not VersionePiano.objects.exists()


def test_one_consultation_at_a_time(piano, staff):
    consulta(piano, staff)
    with pytest.raises(OperazioneNonValida, match="already open or scheduled"):
        consulta(piano, staff, apre=24 * 10, chiude=24 * 20)


def test_an_empty_draft_cannot_be_consulted_on(ambito, staff):
    vuoto = piano_con_sezioni(ambito, by=staff)
    with pytest.raises(OperazioneNonValida, match="empty"):
        consulta(vuoto, staff)


def test_staff_open_a_consultation_with_italian_dates(client, piano, staff, membro):
    client.force_login(staff)
    url = reverse("piani:consultazione_nuova", args=[piano.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "1 person is invited by e-mail" in page.content.decode() or "people are invited" in (
        page.content.decode()
    )
    domani = timezone.localtime() + timedelta(days=1)
    response = client.post(
        url,
        {
            "apre_at": timezone.localtime().strftime("%d/%m/%Y %H:%M"),
            "chiude_at": (domani + timedelta(days=20)).strftime("%d/%m/%Y 23:59"),
            "istruzioni": "Commentate entro la data indicata.",
        },
    )
    consultazione = Consultazione.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("piani:consultazione", args=[consultazione.pk])
    assert timezone.localtime(consultazione.chiude_at).strftime("%H:%M") == "23:59"


def test_the_form_refuses_a_closing_before_the_opening(client, piano, staff):
    client.force_login(staff)
    response = client.post(
        reverse("piani:consultazione_nuova", args=[piano.pk]),
        {"apre_at": "10/10/2099 10:00", "chiude_at": "01/10/2099 10:00"},
    )
    assert response.status_code == 200
    assert "must close after it opens" in response.content.decode()
    assert not Consultazione.objects.exists()


def test_the_invitation_reaches_every_participant_once(
    piano, staff, membro, referente_ammesso, aurora, ambito, django_capture_on_commit_callbacks
):
    # Giulia also sits at a second table and is a referente of the Aurora too: one e-mail.
    MembroFactory(
        tavolo=TavoloFactory(ambito=ambito),
        ente=EnteFactory(),
        delegato_nome="Giulia Ferrari",
        delegato_email="giulia@example.org",
    )
    ReferenteFactory(organizzazione=aurora, user=membro, gestore=False)
    # Tables of other ambiti and removed members are not invited.
    MembroFactory(delegato_email="altrove@example.org")
    MembroFactory(
        tavolo=TavoloFactory(ambito=ambito),
        delegato_email="rimosso@example.org",
        rimosso_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        consultazione = consulta(piano, staff)

    destinatari = sorted(m.to[0] for m in mail.outbox)
    assert destinatari == ["giulia@example.org", "marco@example.org", "piero@example.org"]
    messaggio = next(m for m in mail.outbox if m.to == ["giulia@example.org"])
    assert piano.titolo in messaggio.subject
    link = reverse("piani:consultazione", args=[consultazione.pk])
    assert link in messaggio.body
    chiude = timezone.localtime(consultazione.chiude_at)
    assert str(chiude.year) in messaggio.body and chiude.strftime("%H:%M") in messaggio.body
    assert "Dear Giulia Ferrari," in messaggio.body
    assert "Ufficio di Piano" in messaggio.body
    assert link in messaggio.alternatives[0][0]


# --- who sees and runs what -------------------------------------------------------------------

LETTORI = [
    ("anonimo", 404),
    ("outsider", 404),
    ("membro", 200),
    ("referente_ammesso", 200),
    ("sindaco", 200),
    ("staff", 200),
    ("staff_altro", 404),
    ("admin_regionale", 200),
]
GESTORI = [
    ("anonimo", 404),
    ("outsider", 404),
    ("membro", 403),
    ("referente_ammesso", 403),
    ("sindaco", 403),
    ("staff", 200),
    ("staff_altro", 404),
    ("admin_regionale", 200),
]


@pytest.mark.parametrize(("persona", "atteso"), LETTORI)
def test_who_reads_the_consultation(client, request, consultazione, persona, atteso):
    login(client, request, persona)
    assert client.get(
        reverse("piani:consultazioni", args=[consultazione.piano_id])
    ).status_code == (atteso)
    assert client.get(reverse("piani:consultazione", args=[consultazione.pk])).status_code == (
        atteso
    )
    report = reverse("piani:consultazione_report", args=[consultazione.pk])
    assert client.get(report).status_code == atteso


@pytest.mark.parametrize(("persona", "atteso"), GESTORI)
def test_who_opens_closes_and_answers(client, request, consultazione, membro, persona, atteso):
    osservazione = osserva(
        consultazione,
        by=membro,
        sezione="a",
        ente=Ente.objects.get(denominazione="Caritas diocesana"),
        testo="Serve un servizio di trasporto.",
    )
    login(client, request, persona)
    nuova = reverse("piani:consultazione_nuova", args=[consultazione.piano_id])
    assert client.get(nuova).status_code == atteso
    dopo_post = 302 if atteso == 200 else atteso
    risposta = client.post(
        reverse("piani:osservazione_risposta", args=[osservazione.pk]),
        {f"r{osservazione.pk}-esito": "accolta", f"r{osservazione.pk}-risposta": "Inserito."},
    )
    assert risposta.status_code == dopo_post
    chiudi = client.post(reverse("piani:consultazione_chiudi", args=[consultazione.pk]))
    assert chiudi.status_code == dopo_post
    consultazione.refresh_from_db()
    osservazione.refresh_from_db()
    assert consultazione.aperta == (atteso != 200)
    assert (osservazione.esito == "accolta") == (atteso == 200)


@pytest.mark.parametrize(
    ("persona", "atteso"),
    [("anonimo", 404), ("outsider", 404), ("membro", 200), ("sindaco", 200), ("staff", 200)],
)
def test_the_report_becomes_public_with_the_plan(client, request, consultazione, persona, atteso):
    login(client, request, persona)
    url = reverse("piani:consultazione_report", args=[consultazione.pk])
    assert client.get(url).status_code == atteso
    Piano.objects.filter(pk=consultazione.piano_id).update(pubblicato_at=timezone.now())
    assert client.get(url).status_code == 200
    assert client.get(url + "?format=csv").status_code == 200
    # The working pages stay for participants.
    assert client.get(reverse("piani:consultazione", args=[consultazione.pk])).status_code == (
        atteso
    )


# --- comments ---------------------------------------------------------------------------------


def test_a_table_member_comments_on_a_section_for_their_party(client, consultazione, membro):
    client.force_login(membro)
    page = client.get(reverse("piani:consultazione", args=[consultazione.pk]))
    html = page.content.decode()
    assert "Il sistema locale dei servizi comprende <strong>tre</strong>" in html
    assert "Comment on this section" in html
    assert "Comment on the plan as a whole" in html

    response = commenta(
        client, consultazione, ente=Ente.objects.get(denominazione="Caritas diocesana").pk
    )

    osservazione = Osservazione.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#osservazione-{osservazione.pk}")
    assert osservazione.sezione == "a"
    assert osservazione.autore == membro
    assert osservazione.ente.denominazione == "Caritas diocesana"
    html = client.get(reverse("piani:consultazione", args=[consultazione.pk])).content.decode()
    assert "Manca il trasporto sociale." in html
    assert "Not answered yet" in html


def test_an_admitted_organisations_referente_comments_on_the_whole_plan(
    client, consultazione, referente_ammesso, aurora
):
    client.force_login(referente_ammesso)
    response = commenta(
        client,
        consultazione,
        sezione=Osservazione.GENERALE,
        testo="Il piano trascura i giovani adulti.",
        ente=aurora.ente_id,
    )
    assert response.status_code == 302
    osservazione = Osservazione.objects.get()
    assert osservazione.sezione == Osservazione.GENERALE
    assert osservazione.ente == aurora.ente


def test_someone_with_two_parties_chooses_on_whose_behalf(
    client, consultazione, membro, aurora, caritas
):
    ReferenteFactory(organizzazione=aurora, user=membro, gestore=False)
    client.force_login(membro)
    html = client.get(reverse("piani:consultazione", args=[consultazione.pk])).content.decode()
    assert "Caritas diocesana" in html and "Cooperativa sociale Aurora" in html

    response = commenta(client, consultazione)  # no party chosen
    assert response.status_code == 200
    assert not Osservazione.objects.exists()

    commenta(client, consultazione, ente=aurora.ente_id)
    assert Osservazione.objects.get().ente == aurora.ente


def test_nobody_comments_on_behalf_of_a_party_they_do_not_represent(client, consultazione, membro):
    altro = EnteFactory(denominazione="Comune di Nessuno")
    client.force_login(membro)
    response = commenta(client, consultazione, ente=altro.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Osservazione.objects.exists()
    with pytest.raises(OperazioneNonValida, match="on behalf of this party"):
        osserva(consultazione, by=membro, sezione="a", ente=altro, testo="…")


@pytest.mark.parametrize("persona", ["referente_non_ammesso", "sindaco", "staff"])
def test_who_has_no_seat_reads_but_cannot_comment(client, request, consultazione, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    page = client.get(reverse("piani:consultazione", args=[consultazione.pk]))
    assert page.status_code == 200
    assert "Send the comment" not in page.content.decode()
    assert commenta(client, consultazione, ente=Ente.objects.first().pk).status_code == 403
    assert not Osservazione.objects.exists()


@pytest.mark.parametrize(
    ("apre", "chiude", "messaggio"),
    [
        (24, 48, "The consultation opens on"),
        (-48, -1, "The consultation closed on"),
    ],
)
def test_comments_outside_the_window_are_refused(
    client, piano, staff, membro, caritas, apre, chiude, messaggio
):
    consultazione = consulta(piano, staff)
    Consultazione.objects.filter(pk=consultazione.pk).update(
        apre_at=timezone.now() + timedelta(hours=apre),
        chiude_at=timezone.now() + timedelta(hours=chiude),
    )
    client.force_login(membro)
    html = client.get(reverse("piani:consultazione", args=[consultazione.pk])).content.decode()
    assert "Send the comment" not in html

    response = commenta(client, consultazione, ente=caritas.pk)

    assert response.status_code == 302
    assert not Osservazione.objects.exists()
    page = client.get(response["Location"])
    assert messaggio in page.content.decode()


def test_a_consultation_closed_early_takes_no_more_comments(
    client, consultazione, staff, membro, caritas
):
    client.force_login(staff)
    client.post(reverse("piani:consultazione_chiudi", args=[consultazione.pk]))
    consultazione.refresh_from_db()
    assert consultazione.chiusa

    client.force_login(membro)
    response = commenta(client, consultazione, ente=caritas.pk)
    assert "The consultation closed on" in client.get(response["Location"]).content.decode()
    assert not Osservazione.objects.exists()
    with pytest.raises(OperazioneNonValida, match="already closed"):
        chiudi_consultazione(consultazione, by=staff)


def test_a_scheduled_consultation_closed_before_it_opens(piano, staff):
    consultazione = consulta(piano, staff, apre=24, chiude=48)
    chiudi_consultazione(consultazione, by=staff)
    consultazione.refresh_from_db()
    assert consultazione.apre_at == consultazione.chiude_at
    assert not consultazione.aperta


def test_a_comment_with_a_pdf_attachment(
    client, consultazione, membro, caritas, sindaco, outsider, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(membro)
    commenta(
        client,
        consultazione,
        ente=caritas.pk,
        allegato=SimpleUploadedFile("proposta.pdf", PDF, content_type="application/pdf"),
    )
    osservazione = Osservazione.objects.get()
    url = reverse("piani:osservazione_allegato", args=[osservazione.pk])

    client.force_login(sindaco)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page


def test_an_attachment_must_be_a_pdf(client, consultazione, membro, caritas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(membro)
    response = commenta(
        client,
        consultazione,
        ente=caritas.pk,
        allegato=SimpleUploadedFile("foto.png", b"\x89PNG not a pdf", content_type="image/png"),
    )
    assert response.status_code == 200
    assert "not a PDF document" in response.content.decode()
    assert not Osservazione.objects.exists()


# --- answers and outcomes ---------------------------------------------------------------------


def _osservazione(consultazione, user, ente, sezione="a", testo="Serve più domiciliarità."):
    return osserva(consultazione, by=user, sezione=sezione, ente=ente, testo=testo)


def test_staff_answer_and_change_the_outcome_later(client, consultazione, membro, caritas, staff):
    osservazione = _osservazione(consultazione, membro, caritas)
    client.force_login(staff)
    url = reverse("piani:osservazione_risposta", args=[osservazione.pk])
    p = f"r{osservazione.pk}"

    client.post(url, {f"{p}-esito": "parziale", f"{p}-risposta": "Accolta in parte: azione 2.3."})
    osservazione.refresh_from_db()
    assert osservazione.esito == Osservazione.Esito.PARZIALE
    assert osservazione.risposta_da == staff
    assert osservazione.risposta_at is not None

    client.post(url, {f"{p}-esito": "accolta", f"{p}-risposta": "Accolta: nuova azione 2.4."})
    osservazione.refresh_from_db()
    assert osservazione.esito == Osservazione.Esito.ACCOLTA
    assert list(
        AuditLog.objects.filter(action__startswith="osservazione.risposta")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["osservazione.risposta", "osservazione.risposta_modificata"]

    client.force_login(membro)
    html = client.get(reverse("piani:consultazione", args=[consultazione.pk])).content.decode()
    assert "Accolta: nuova azione 2.4." in html
    assert 'data-esito="accolta"' in html


def test_an_answer_needs_text_and_outcome(client, consultazione, membro, caritas, staff):
    osservazione = _osservazione(consultazione, membro, caritas)
    client.force_login(staff)
    response = client.post(
        reverse("piani:osservazione_risposta", args=[osservazione.pk]),
        {f"r{osservazione.pk}-risposta": "Grazie."},
        follow=True,
    )
    assert "Choose the outcome of the comment." in response.content.decode()
    osservazione.refresh_from_db()
    assert osservazione.esito == ""
    with pytest.raises(OperazioneNonValida):
        rispondi(osservazione, risposta=" ", esito="accolta", by=staff)


def test_the_list_counts_comments_and_answers(client, consultazione, membro, caritas, staff):
    for i in range(3):
        o = _osservazione(consultazione, membro, caritas, testo=f"Osservazione {i}")
        if i:
            rispondi(o, risposta="Vista.", esito="non_accolta", by=staff)
    client.force_login(membro)
    html = client.get(
        reverse("piani:consultazioni", args=[consultazione.piano_id])
    ).content.decode()
    assert "Version 1" in html
    assert '<td class="text-end" data-osservazioni>3</td>' in html
    assert '<td class="text-end" data-risposte>2</td>' in html


# --- the report -------------------------------------------------------------------------------


@pytest.fixture
def con_risposte(consultazione, membro, caritas, referente_ammesso, aurora, staff):
    a = _osservazione(consultazione, membro, caritas, "a", "Mancano i dati sui servizi.")
    b = _osservazione(consultazione, referente_ammesso, aurora.ente, "b", "=SOMMA(A1) priorità")
    _osservazione(consultazione, referente_ammesso, aurora.ente, "a", "Aggiungere il PUA.")
    g = _osservazione(consultazione, membro, caritas, Osservazione.GENERALE, "Bene nel complesso.")
    rispondi(a, risposta="Dati aggiunti alla sezione a.", esito="accolta", by=staff)
    rispondi(b, risposta="Non pertinente.", esito="non_accolta", by=staff)
    rispondi(g, risposta="Grazie.", esito="accolta", by=staff)
    return consultazione


def test_the_report_counts_by_section_and_outcome(client, con_risposte, membro):
    client.force_login(membro)
    html = client.get(
        reverse("piani:consultazione_report", args=[con_risposte.pk])
    ).content.decode()
    assert "data-totale>4</dd>" in html
    assert 'data-sezione="a">2</td>' in html
    assert 'data-sezione="b">1</td>' in html
    assert 'data-sezione="-">1</td>' in html
    assert 'data-sezione="c">0</td>' in html
    assert 'data-esito="accolta">2</td>' in html
    assert 'data-esito="non_accolta">1</td>' in html
    assert 'data-esito="">1</td>' in html
    assert "Dati aggiunti alla sezione a." in html
    assert "Giulia Ferrari" in html  # participants read who wrote


def test_the_csv_export(client, con_risposte, membro):
    client.force_login(membro)
    response = client.get(
        reverse("piani:consultazione_report", args=[con_risposte.pk]) + "?format=csv"
    )
    assert response["Content-Type"].startswith("text/csv")
    righe = [r.split(";") for r in response.content.decode("utf-8-sig").strip().splitlines()]
    assert righe[0] == [
        "Section",
        "Party",
        "Author",
        "Date",
        "Comment",
        "Outcome",
        "Answer",
        "Answered at",
    ]
    assert len(righe) == 5
    assert righe[1][:3] == ["The plan as a whole", "Caritas diocesana", "Giulia Ferrari"]
    assert righe[1][5:7] == ["Accepted", "Grazie."]
    prima_a = righe[2]
    assert prima_a[1] == "Caritas diocesana"
    assert prima_a[4] == "Mancano i dati sui servizi."
    assert prima_a[5] == "Accepted"
    assert prima_a[7]  # answered at
    senza = next(r for r in righe if r[4] == "Aggiungere il PUA.")
    assert senza[5] == "" and senza[7] == ""
    # A comment starting with "=" is not a formula in Excel.
    assert any(r[4] == "'=SOMMA(A1) priorità" for r in righe)


def test_the_public_report_names_parties_not_people(client, con_risposte):
    Piano.objects.filter(pk=con_risposte.piano_id).update(pubblicato_at=timezone.now())
    url = reverse("piani:consultazione_report", args=[con_risposte.pk])
    html = client.get(url).content.decode()
    assert "Caritas diocesana" in html
    assert "Giulia Ferrari" not in html
    csv = client.get(url + "?format=csv").content.decode("utf-8-sig")
    assert "Caritas diocesana" in csv and "Giulia Ferrari" not in csv


# --- queries ----------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _aggiungi(consultazione, n, staff):
    autori = []
    for _i in range(n):
        user = UserFactory()
        ente = EnteFactory()
        MembroFactory(
            tavolo=TavoloFactory(ambito=consultazione.piano.ambito),
            ente=ente,
            delegato_email=user.email,
        )
        autori.append((user, ente))
    for i, (user, ente) in enumerate(autori):
        o = osserva(
            consultazione, by=user, sezione="abcdefgh"[i % 8], ente=ente, testo=f"Testo {i}"
        )
        if i % 2:
            rispondi(o, risposta="Risposta.", esito="parziale", by=staff)


@pytest.mark.parametrize("persona", ["staff", "membro"])
def test_the_consultation_and_report_pages_do_not_grow_with_the_comments(
    client, request, consultazione, staff, persona
):
    client.force_login(request.getfixturevalue(persona))
    pagine = [
        reverse("piani:consultazione", args=[consultazione.pk]),
        reverse("piani:consultazione_report", args=[consultazione.pk]),
        reverse("piani:consultazione_report", args=[consultazione.pk]) + "?format=csv",
        reverse("piani:consultazioni", args=[consultazione.piano_id]),
    ]
    _aggiungi(consultazione, 4, staff)
    prima = [_queries(client, url) for url in pagine]
    _aggiungi(consultazione, 12, staff)
    assert Osservazione.objects.count() == 16
    assert [_queries(client, url) for url in pagine] == prima
