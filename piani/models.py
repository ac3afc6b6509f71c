"""The three-year Piano di Zona of an ambito: its phases, the document (sections a–h of
L. 328/2000 art. 19) and its frozen versions, the objectives with their actions and
indicators, the budget, the annual plans, the consultation, the approval and the accordo di
programma with its signatories.

Nothing here is deleted: a version, a comment or a signed copy stays as it was written;
what is withdrawn carries a date.
"""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ambiti.models import Ambito, AreaUtenza, Ente, RiferimentoQuerySet
from tavoli.models import AreaPolicy, Incontro, Tavolo, Votazione
from terzo_settore.models import Avviso, Organizzazione

IMPORTO = {"max_digits": 14, "decimal_places": 2}


def sha256_json(data):
    """The SHA-256 of ``data`` written as canonical JSON: equal content, equal hash."""
    testo = json.dumps(data, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(testo.encode()).hexdigest()


class FonteFinanziamento(models.Model):
    """A funding source (FNPS, FNA, Fondo Povertà…). Reference data: a shared list and each
    ambito's additions (a regional fund, a foundation's grant)."""

    class Tipo(models.TextChoices):
        STATALE = "statale", _("National fund")
        EUROPEA = "europea", _("European funds (PNRR)")
        REGIONALE = "regionale", _("Regional fund")
        COMUNALE = "comunale", _("Municipal funds")
        SANITARIA = "sanitaria", _("Health authority")
        UTENTI = "utenti", _("Users' co-payment")
        PRIVATA = "privata", _("Private funds")

    ambito = models.ForeignKey(
        Ambito, null=True, blank=True, on_delete=models.PROTECT, related_name="fonti_finanziamento"
    )
    codice = models.SlugField(_("code"), max_length=40)
    nome = models.CharField(_("name"), max_length=200)
    tipo = models.CharField(_("kind"), max_length=20, choices=Tipo.choices)
    quote_comunali = models.BooleanField(
        _("municipal quotas"),
        default=False,
        help_text=_("Funds the comuni pay as a per-capita quota of their population."),
    )
    ordine = models.PositiveSmallIntegerField(_("order"), default=0)
    attiva = models.BooleanField(_("active"), default=True)

    objects = RiferimentoQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["ordine", "nome"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "codice"], name="fonte_codice_unico_per_ambito"
            ),
            models.UniqueConstraint(
                fields=["codice"], condition=Q(ambito__isnull=True), name="fonte_codice_unico"
            ),
        ]

    def __str__(self):
        return self.nome


class Leps(models.Model):
    """An essential level of social services (LEPS). Reference data like the funding sources."""

    ambito = models.ForeignKey(
        Ambito, null=True, blank=True, on_delete=models.PROTECT, related_name="leps"
    )
    nome = models.CharField(_("name"), max_length=300)
    riferimento = models.CharField(_("legal reference"), max_length=200, blank=True)
    ordine = models.PositiveSmallIntegerField(_("order"), default=0)
    attiva = models.BooleanField(_("active"), default=True)

    objects = RiferimentoQuerySet.as_manager()

    class Meta:
        verbose_name = _("LEPS")
        verbose_name_plural = _("LEPS")
        ordering = ["ordine", "nome"]

    def __str__(self):
        return self.nome


class PianoQuerySet(models.QuerySet):
    def pubblicati(self):
        return self.filter(pubblicato_at__isnull=False)


class Piano(models.Model):
    """The Piano di Zona of an ambito for three years (``anno_inizio`` and the two after).

    The sections, objectives and budget are the working draft; sending it to consultation or
    to the vote freezes a ``VersionePiano``. The approved version never changes again.
    """

    DURATA = 3

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("Drafting")
        CONSULTAZIONE = "consultazione", _("In consultation")
        VOTAZIONE = "votazione", _("Awaiting the mayors' vote")
        APPROVATO = "approvato", pgettext_lazy("plan", "Approved")
        RESPINTO = "respinto", pgettext_lazy("plan", "Rejected")

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="piani")
    titolo = models.CharField(_("title"), max_length=200)
    anno_inizio = models.PositiveSmallIntegerField(_("first year"))
    stato = models.CharField(
        _("state"), max_length=20, choices=Stato.choices, default=Stato.BOZZA, db_index=True
    )
    quota_pro_capite = models.DecimalField(
        _("municipal quota per resident (€)"),
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
    )
    versione_approvata = models.ForeignKey(
        "VersionePiano",
        verbose_name=_("approved version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    votazione = models.ForeignKey(
        Votazione,
        verbose_name=_("approval vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approvato_il = models.DateField(_("approved on"), null=True, blank=True)
    pubblicato_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PianoQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-anno_inizio", "ambito__nome"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "anno_inizio"], name="un_piano_per_triennio")
        ]

    def __str__(self):
        return self.titolo

    @property
    def anno_fine(self):
        return self.anno_inizio + self.DURATA - 1

    @property
    def anni(self):
        return list(range(self.anno_inizio, self.anno_fine + 1))

    @property
    def triennio(self):
        return f"{self.anno_inizio}-{self.anno_fine}"

    @property
    def pubblicato(self):
        return self.pubblicato_at is not None


class Fase(models.Model):
    """One of the nine steps of the programming cycle (DOMAIN.md §4): dates, who, done."""

    PASSI = [
        (1, _("The mayors set up the political table and the Ufficio di Piano")),
        (2, _("Convocation of the planning conference")),
        (3, _("Activation of the planning conference with all competent actors")),
        (4, _("Survey of the context and the needs")),
        (5, _("Priorities and resources")),
        (6, _("The tables define the actions")),
        (7, _("Co-programming with the third sector")),
        (8, _("Drafting of the document")),
        (9, _("Approval through the accordo di programma")),
    ]

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="fasi")
    numero = models.PositiveSmallIntegerField(_("step"))
    titolo = models.CharField(_("title"), max_length=200)
    note = models.TextField(_("notes"), blank=True)
    inizio = models.DateField(_("starts on"), null=True, blank=True)
    fine = models.DateField(_("ends on"), null=True, blank=True)
    responsabile = models.CharField(_("who"), max_length=200, blank=True)
    completata_il = models.DateField(_("done on"), null=True, blank=True)
    tavoli = models.ManyToManyField(Tavolo, verbose_name=_("tables"), related_name="+", blank=True)
    incontri = models.ManyToManyField(
        Incontro, verbose_name=_("meetings"), related_name="+", blank=True
    )
    avvisi = models.ManyToManyField(Avviso, verbose_name=_("notices"), related_name="+", blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["piano", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["piano", "numero"], name="una_fase_per_passo")
        ]

    def __str__(self):
        return f"{self.numero}. {self.titolo}"

    @property
    def completata(self):
        return self.completata_il is not None


class Sezione(models.Model):
    """A section of the document, one for each letter of L. 328/2000 art. 19 (Markdown text)."""

    LETTERE = [
        ("a", _("Local system of services and essential levels (LEPS)")),
        ("b", _("Strategic objectives and priorities, tools and resources")),
        ("c", _("Organisation of services; financial, structural and professional resources")),
        ("d", _("Data collection for the social information system")),
        ("e", _("Collaboration of territorial services with the bodies that deliver them")),
        ("f", _("Services organised above the ambito and who runs them")),
        ("g", _("Coordination with European, national and regional policies")),
        ("h", _("Participation of citizens and users in planning and quality checks")),
    ]

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="sezioni")
    lettera = models.CharField(_("letter"), max_length=1, choices=LETTERE)
    titolo = models.CharField(_("title"), max_length=300)
    testo = models.TextField(_("text"), blank=True, help_text=_("Markdown formatting."))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["piano", "lettera"]
        constraints = [
            models.UniqueConstraint(fields=["piano", "lettera"], name="una_sezione_per_lettera")
        ]

    def __str__(self):
        return f"{self.lettera}) {self.titolo}"


class Allegato(models.Model):
    """A file attached to the plan's document (a study, a map, a table)."""

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="allegati")
    titolo = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file (PDF)"), upload_to="piani/allegati/%Y/")
    caricato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rimosso_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["piano", "created_at"]

    def __str__(self):
        return self.titolo


class VersionePiano(models.Model):
    """A numbered, frozen copy of the whole plan (``contenuto``, see ``piani.versioni``),
    taken when it goes to consultation or to the vote. Its PDF is rendered from it."""

    class Motivo(models.TextChoices):
        CONSULTAZIONE = "consultazione", _("Sent to consultation")
        APPROVAZIONE = "approvazione", _("Sent to the vote")
        MANUALE = "manuale", _("Saved by the staff")

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="versioni")
    numero = models.PositiveSmallIntegerField(_("version"))
    motivo = models.CharField(_("why"), max_length=20, choices=Motivo.choices)
    contenuto = models.JSONField(_("content"), encoder=DjangoJSONEncoder)
    sha256 = models.CharField(max_length=64)
    pdf = models.FileField(_("PDF"), upload_to="piani/versioni/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_pagine = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["piano", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["piano", "numero"], name="versione_numero_unico")
        ]

    def __str__(self):
        return _("%(piano)s, version %(numero)s") % {"piano": self.piano, "numero": self.numero}


class Obiettivo(models.Model):
    """A scheda obiettivo: what the plan wants to reach, for whom, with which LEPS and bodies."""

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="obiettivi")
    codice = models.CharField(_("code"), max_length=20, help_text=_("E.g. OB1."))
    titolo = models.CharField(_("title"), max_length=300)
    area_policy = models.ForeignKey(
        AreaPolicy,
        verbose_name=_("policy area"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    aree_utenza = models.ManyToManyField(
        AreaUtenza, verbose_name=_("target groups"), related_name="+", blank=True
    )
    bisogno = models.TextField(_("need addressed"), blank=True)
    risultati_attesi = models.TextField(_("expected results"), blank=True)
    leps = models.ManyToManyField(
        Leps, verbose_name=_("related LEPS"), related_name="+", blank=True
    )
    responsabile = models.CharField(_("owner"), max_length=200, blank=True)
    enti = models.ManyToManyField(
        Ente, verbose_name=_("bodies involved"), related_name="+", blank=True
    )
    tavoli = models.ManyToManyField(
        Tavolo, verbose_name=_("linked tables"), related_name="+", blank=True
    )
    anno_da = models.PositiveSmallIntegerField(_("from year"))
    anno_a = models.PositiveSmallIntegerField(_("to year"))
    ordine = models.PositiveSmallIntegerField(_("order"), default=0)
    rimosso_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["piano", "ordine", "codice"]

    def __str__(self):
        return f"{self.codice} {self.titolo}"

    @property
    def anni(self):
        return list(range(self.anno_da, self.anno_a + 1))


class Azione(models.Model):
    """An action (intervento) of an objective in one year."""

    obiettivo = models.ForeignKey(Obiettivo, on_delete=models.PROTECT, related_name="azioni")
    anno = models.PositiveSmallIntegerField(_("year"))
    titolo = models.CharField(_("title"), max_length=300)
    descrizione = models.TextField(_("description"), blank=True)
    responsabile = models.CharField(_("owner"), max_length=200, blank=True)
    tavolo = models.ForeignKey(
        Tavolo,
        verbose_name=_("table"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    avviso = models.ForeignKey(
        Avviso,
        verbose_name=_("notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ordine = models.PositiveSmallIntegerField(_("order"), default=0)
    rimosso_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["obiettivo", "anno", "ordine", "pk"]

    def __str__(self):
        return self.titolo


class Indicatore(models.Model):
    """How progress on an objective is measured: a baseline, a target, yearly measurements."""

    class Tipo(models.TextChoices):
        PROCESSO = "processo", _("Process")
        OUTPUT = "output", _("Output")
        ESITO = "esito", _("Outcome")

    obiettivo = models.ForeignKey(Obiettivo, on_delete=models.PROTECT, related_name="indicatori")
    nome = models.CharField(_("name"), max_length=300)
    tipo = models.CharField(_("kind"), max_length=10, choices=Tipo.choices)
    unita = models.CharField(_("unit"), max_length=60, help_text=_("E.g. persons, hours, %."))
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    ordine = models.PositiveSmallIntegerField(_("order"), default=0)
    rimosso_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["obiettivo", "ordine", "pk"]

    def __str__(self):
        return self.nome


class Misurazione(models.Model):
    """The value an indicator reached in one year. A value cleared by the staff is kept, with
    ``rimossa_at``; entering one again for that year brings the row back."""

    indicatore = models.ForeignKey(Indicatore, on_delete=models.PROTECT, related_name="misurazioni")
    anno = models.PositiveSmallIntegerField(_("year"))
    valore = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.CharField(_("notes"), max_length=300, blank=True)
    registrata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    rimossa_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicatore", "anno"]
        constraints = [
            models.UniqueConstraint(fields=["indicatore", "anno"], name="una_misurazione_per_anno")
        ]

    def __str__(self):
        return f"{self.indicatore} {self.anno}: {self.valore}"


class VoceBudget(models.Model):
    """A budget line: year × funding source × objective/action × spending type, with the
    planned, committed and spent amounts."""

    class TipoSpesa(models.TextChoices):
        SERVIZI = "servizi", _("Services")
        TRASFERIMENTI = "trasferimenti", _("Cash transfers")
        STRUTTURE = "strutture", _("Facilities")

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="voci_budget")
    anno = models.PositiveSmallIntegerField(_("year"))
    fonte = models.ForeignKey(
        FonteFinanziamento,
        verbose_name=_("funding source"),
        on_delete=models.PROTECT,
        related_name="voci",
    )
    obiettivo = models.ForeignKey(
        Obiettivo,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voci_budget",
    )
    azione = models.ForeignKey(
        Azione,
        verbose_name=_("action"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="voci_budget",
    )
    tipo_spesa = models.CharField(_("spending type"), max_length=20, choices=TipoSpesa.choices)
    descrizione = models.CharField(_("description"), max_length=300, blank=True)
    previsto = models.DecimalField(_("planned (€)"), **IMPORTO)
    impegnato = models.DecimalField(_("committed (€)"), default=0, **IMPORTO)
    speso = models.DecimalField(_("spent (€)"), default=0, **IMPORTO)
    rimosso_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["piano", "anno", "fonte__ordine", "pk"]

    def __str__(self):
        return f"{self.anno} {self.fonte} {self.previsto}"


class PianoAttuativo(models.Model):
    """The annual implementation plan: the actions and budget lines of one year, approved by
    the mayors like the plan. ``contenuto`` is frozen when it goes to the vote."""

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("Drafting")
        VOTAZIONE = "votazione", _("Awaiting the mayors' vote")
        APPROVATO = "approvato", pgettext_lazy("plan", "Approved")
        RESPINTO = "respinto", pgettext_lazy("plan", "Rejected")

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="attuativi")
    anno = models.PositiveSmallIntegerField(_("year"))
    note = models.TextField(_("notes"), blank=True)
    stato = models.CharField(
        _("state"), max_length=20, choices=Stato.choices, default=Stato.BOZZA, db_index=True
    )
    contenuto = models.JSONField(_("content"), encoder=DjangoJSONEncoder, default=dict, blank=True)
    votazione = models.ForeignKey(
        Votazione,
        verbose_name=_("approval vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approvato_il = models.DateField(_("approved on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["piano", "anno"]
        constraints = [
            models.UniqueConstraint(fields=["piano", "anno"], name="un_attuativo_per_anno")
        ]

    def __str__(self):
        return _("Annual plan %(anno)s") % {"anno": self.anno}


class ConsultazioneQuerySet(models.QuerySet):
    def aperte(self, when=None):
        now = when or timezone.now()
        return self.filter(apre_at__lte=now, chiude_at__gt=now)


class Consultazione(models.Model):
    """A window in which table members and admitted organisations comment on a frozen
    version, section by section."""

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="consultazioni")
    versione = models.ForeignKey(
        VersionePiano, on_delete=models.PROTECT, related_name="consultazioni"
    )
    apre_at = models.DateTimeField(_("opens at"))
    chiude_at = models.DateTimeField(_("closes at"))
    istruzioni = models.TextField(_("instructions"), blank=True)
    aperta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ConsultazioneQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-apre_at"]

    def __str__(self):
        return _("Consultation on %(versione)s") % {"versione": self.versione}

    @property
    def aperta(self):
        return self.apre_at <= timezone.now() < self.chiude_at

    @property
    def chiusa(self):
        return timezone.now() >= self.chiude_at


class Osservazione(models.Model):
    """A comment on one section (or on the whole plan), with the staff's answer and outcome."""

    GENERALE = "-"

    class Esito(models.TextChoices):
        ACCOLTA = "accolta", pgettext_lazy("comment or adhesion", "Accepted")
        PARZIALE = "parziale", _("Partly accepted")
        NON_ACCOLTA = "non_accolta", _("Not accepted")

    consultazione = models.ForeignKey(
        Consultazione, on_delete=models.PROTECT, related_name="osservazioni"
    )
    sezione = models.CharField(
        _("section"),
        max_length=1,
        choices=[(GENERALE, _("The plan as a whole")), *Sezione.LETTERE],
    )
    autore = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ente = models.ForeignKey(
        Ente,
        verbose_name=_("on behalf of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    testo = models.TextField(_("comment"))
    allegato = models.FileField(
        _("attachment (PDF)"), upload_to="piani/osservazioni/%Y/", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    esito = models.CharField(_("outcome"), max_length=20, choices=Esito.choices, blank=True)
    risposta = models.TextField(_("answer"), blank=True)
    risposta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risposta_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["consultazione", "sezione", "created_at"]

    def __str__(self):
        return f"{self.get_sezione_display()} — {self.autore}"


class Adesione(models.Model):
    """A third-sector organisation that took part asks to adhere to the accordo di programma;
    the staff accept or refuse. Accepted ones are listed in the accordo."""

    class Stato(models.TextChoices):
        RICHIESTA = "richiesta", _("Requested")
        ACCOLTA = "accolta", pgettext_lazy("comment or adhesion", "Accepted")
        RESPINTA = "respinta", pgettext_lazy("comment or adhesion", "Refused")
        RITIRATA = "ritirata", pgettext_lazy("comment or adhesion", "Withdrawn")

    piano = models.ForeignKey(Piano, on_delete=models.PROTECT, related_name="adesioni")
    organizzazione = models.ForeignKey(
        Organizzazione, on_delete=models.PROTECT, related_name="adesioni_accordo"
    )
    stato = models.CharField(
        _("state"), max_length=20, choices=Stato.choices, default=Stato.RICHIESTA, db_index=True
    )
    impegni = models.TextField(_("what the organisation commits to"))
    firmatario_nome = models.CharField(_("who signs"), max_length=200)
    firmatario_qualifica = models.CharField(_("as"), max_length=200)
    richiesta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decisa_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decisa_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    motivazione = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("adhesion to the accordo")
        verbose_name_plural = _("adhesions to the accordo")
        ordering = ["piano", "organizzazione__ente__denominazione"]
        constraints = [
            models.UniqueConstraint(
                fields=["piano", "organizzazione"],
                condition=Q(stato__in=["richiesta", "accolta"]),
                name="una_adesione_attiva_per_piano",
            )
        ]

    def __str__(self):
        return f"{self.organizzazione} — {self.piano}"


class Accordo(models.Model):
    """The accordo di programma (D.Lgs. 267/2000 art. 34) that adopts the approved version.

    ``pdf`` is rendered by a task from ``sorgente()``; ``sorgente_sha256`` is the hash of the
    source it was rendered from, so it is rendered again only when the source changes.
    """

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("Being prepared")
        IN_FIRMA = "in_firma", _("In signature")
        FIRMATO = "firmato", _("Signed")
        APPROVATO = "approvato", _("Approved by the promoter's act")
        PUBBLICATO = "pubblicato", _("Published in the BUR")

    piano = models.OneToOneField(Piano, on_delete=models.PROTECT, related_name="accordo")
    versione = models.ForeignKey(VersionePiano, on_delete=models.PROTECT, related_name="+")
    stato = models.CharField(
        _("state"), max_length=20, choices=Stato.choices, default=Stato.BOZZA, db_index=True
    )
    premesse = models.TextField(_("recitals"), blank=True)
    impegni = models.TextField(_("commitments of the parties"), blank=True)
    governance = models.TextField(_("governance"), blank=True)
    durata = models.TextField(_("duration"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to="piani/accordi/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    sorgente_sha256 = models.CharField(max_length=64, blank=True)
    pdf_pagine = models.PositiveSmallIntegerField(null=True, blank=True)
    generato_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    generazione_richiesta_at = models.DateTimeField(null=True, blank=True)
    errore = models.TextField(_("error"), blank=True)
    firmato_il = models.DateField(_("signed on"), null=True, blank=True)
    atto_numero = models.CharField(_("number of the approving act"), max_length=60, blank=True)
    atto_data = models.DateField(_("date of the approving act"), null=True, blank=True)
    bur_riferimento = models.CharField(_("BUR reference"), max_length=200, blank=True)
    bur_data = models.DateField(_("BUR publication date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("accordo di programma")
        verbose_name_plural = _("accordi di programma")

    def __str__(self):
        return _("Accordo di programma — %(piano)s") % {"piano": self.piano}

    @property
    def in_generazione(self):
        return bool(self.generazione_richiesta_at) and (
            self.generato_at is None or self.generato_at < self.generazione_richiesta_at
        )


class Firmatario(models.Model):
    """A row of the table of signatories and its signed copy. Institutional parties (comuni,
    ATS/ASST, ente capofila) must sign; adhering organisations sign as adherents."""

    class Tipo(models.TextChoices):
        ISTITUZIONALE = "istituzionale", _("Institutional party")
        ADERENTE = "aderente", _("Adhering organisation")

    accordo = models.ForeignKey(Accordo, on_delete=models.PROTECT, related_name="firmatari")
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="+")
    tipo = models.CharField(_("kind"), max_length=20, choices=Tipo.choices)
    nome = models.CharField(_("signed by"), max_length=200, blank=True)
    qualifica = models.CharField(_("as"), max_length=200, blank=True)
    ordine = models.PositiveIntegerField(default=0)
    copia_firmata = models.FileField(
        _("signed copy (PDF)"), upload_to="piani/accordi/firmati/%Y/", blank=True
    )
    copia_sha256 = models.CharField(max_length=64, blank=True)
    firmato_il = models.DateField(_("signed on"), null=True, blank=True)
    caricata_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    caricata_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["accordo", "ordine", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["accordo", "ente"], name="un_firmatario_per_ente")
        ]

    def __str__(self):
        return str(self.ente)

    @property
    def obbligatorio(self):
        return self.tipo == self.Tipo.ISTITUZIONALE

    @property
    def firmato(self):
        return bool(self.copia_firmata)
