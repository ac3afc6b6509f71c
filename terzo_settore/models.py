"""Third-sector organisations, public notices (avvisi), applications (domande), surveys and
the evaluation of co-progettazione proposals."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, AreaUtenza, Comune, Ente


class Organizzazione(models.Model):
    """The third-sector details of an ``Ente`` (denominazione, codice fiscale, PEC… live there)."""

    class FormaGiuridica(models.TextChoices):
        ODV = "odv", _("Voluntary organisation (ODV)")
        APS = "aps", _("Social promotion association (APS)")
        COOPERATIVA_A = "coop_a", _("Social cooperative, type A")
        COOPERATIVA_B = "coop_b", _("Social cooperative, type B")
        CONSORZIO = "consorzio", _("Consortium of social cooperatives")
        IMPRESA_SOCIALE = "impresa_sociale", _("Social enterprise")
        FONDAZIONE = "fondazione", _("Foundation")
        ASSOCIAZIONE = "associazione", _("Association")
        ENTE_RELIGIOSO = "ente_religioso", _("Religious body")
        ALTRO = "altro", _("Other")

    class SezioneRunts(models.TextChoices):
        ODV = "a", _("a) Voluntary organisations")
        APS = "b", _("b) Social promotion associations")
        FILANTROPICI = "c", _("c) Philanthropic bodies")
        IMPRESE_SOCIALI = "d", _("d) Social enterprises, including social cooperatives")
        RETI = "e", _("e) Associative networks")
        MUTUO_SOCCORSO = "f", _("f) Mutual aid societies")
        ALTRI = "g", _("g) Other third-sector bodies")

    class Iscrizione(models.TextChoices):
        RUNTS = "runts", _("Registered in the RUNTS")
        REGISTRO_IMPRESE = "registro_imprese", _("Registered through the Registro imprese")
        IN_CORSO = "in_corso", _("Registration pending")

    ente = models.OneToOneField(Ente, on_delete=models.PROTECT, related_name="organizzazione")
    forma_giuridica = models.CharField(
        _("legal form"), max_length=20, choices=FormaGiuridica.choices
    )
    iscrizione = models.CharField(
        _("registration"), max_length=20, choices=Iscrizione.choices, default=Iscrizione.RUNTS
    )
    sezione_runts = models.CharField(
        _("RUNTS section"), max_length=1, choices=SezioneRunts.choices, blank=True
    )
    numero_repertorio = models.CharField(_("RUNTS repertory number"), max_length=30, blank=True)
    rappresentante_legale = models.CharField(_("legal representative"), max_length=200)
    sedi_operative = models.ManyToManyField(
        Comune, verbose_name=_("operating offices"), related_name="+", blank=True
    )
    aree = models.ManyToManyField(
        AreaUtenza, verbose_name=_("areas of activity"), related_name="organizzazioni", blank=True
    )
    sito_web = models.URLField(_("website"), blank=True)
    descrizione = models.TextField(_("what the organisation does"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["ente__denominazione"]

    def __str__(self):
        return self.ente.denominazione


class ReferenteQuerySet(models.QuerySet):
    def attivi(self):
        return self.filter(stato=Referente.Stato.ATTIVO)


class Referente(models.Model):
    """A person who acts for an organisation. One ``gestore`` at least manages the others."""

    class Stato(models.TextChoices):
        RICHIESTA = "richiesta", _("Asked to join")
        ATTIVO = "attivo", _("Active")
        RIFIUTATO = "rifiutato", _("Refused")
        RIMOSSO = "rimosso", _("Removed")

    organizzazione = models.ForeignKey(
        Organizzazione, on_delete=models.PROTECT, related_name="referenti"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referenze"
    )
    gestore = models.BooleanField(_("manages the other referenti"), default=False)
    stato = models.CharField(_("state"), max_length=20, choices=Stato.choices, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferenteQuerySet.as_manager()

    class Meta:
        verbose_name = _("referente")
        verbose_name_plural = _("referenti")
        ordering = ["organizzazione", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizzazione", "user"],
                condition=Q(stato__in=["richiesta", "attivo"]),
                name="referente_unico_attivo",
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.organizzazione}"


class AvvisoQuerySet(models.QuerySet):
    def pubblicati(self):
        return self.filter(stato=Avviso.Stato.PUBBLICATO)

    def aperti(self, when=None):
        now = when or timezone.now()
        return self.pubblicati().filter(apertura__lte=now, chiusura__gt=now)


class Avviso(models.Model):
    """A public notice of the Ufficio di Piano, answered online with a ``Domanda``."""

    class Tipo(models.TextChoices):
        ADESIONE = "adesione", _("Adhesion to the Piano di Zona")
        MANIFESTAZIONE = "manifestazione", _("Expression of interest to join tables")
        RILEVAZIONE = "rilevazione", _("Survey (scheda di rilevazione)")
        COPROGETTAZIONE = "coprogettazione", _("Co-programming / co-design")

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("Draft")
        PUBBLICATO = "pubblicato", _("Published")
        ANNULLATO = "annullato", _("Withdrawn")

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="avvisi")
    tipo = models.CharField(_("type"), max_length=20, choices=Tipo.choices)
    titolo = models.CharField(_("title"), max_length=300)
    testo = models.TextField(_("text"))
    apertura = models.DateTimeField(_("opens at"))
    chiusura = models.DateTimeField(_("closes at"))
    stato = models.CharField(
        _("state"), max_length=20, choices=Stato.choices, default=Stato.BOZZA, db_index=True
    )
    pubblicato_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # co-programmazione / co-progettazione (D.Lgs. 117/2017 art. 55)
    oggetto = models.TextField(_("object"), blank=True)
    budget = models.DecimalField(
        _("budget (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    durata = models.CharField(_("duration"), max_length=200, blank=True)
    responsabile = models.CharField(_("responsible officer (RUP)"), max_length=200, blank=True)
    cup = models.CharField(_("CUP code"), max_length=15, blank=True)
    commissione = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("evaluation commission"),
        related_name="commissioni",
        blank=True,
    )
    graduatoria_pubblicata_at = models.DateTimeField(
        _("ranking published at"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AvvisoQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-apertura"]
        constraints = [
            models.CheckConstraint(
                condition=Q(chiusura__gt=models.F("apertura")), name="avviso_chiude_dopo_apertura"
            )
        ]

    def __str__(self):
        return self.titolo

    @property
    def aperto(self):
        now = timezone.now()
        return self.stato == self.Stato.PUBBLICATO and self.apertura <= now < self.chiusura


class AllegatoAvviso(models.Model):
    avviso = models.ForeignKey(Avviso, on_delete=models.PROTECT, related_name="allegati")
    titolo = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="avvisi/%Y/")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("notice attachment")
        verbose_name_plural = _("notice attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.titolo


class TavoloOfferto(models.Model):
    """A table a manifestazione d'interesse offers; the tavoli app links its Tavolo here."""

    avviso = models.ForeignKey(Avviso, on_delete=models.PROTECT, related_name="tavoli_offerti")
    nome = models.CharField(_("name"), max_length=200)
    descrizione = models.TextField(_("description"), blank=True)
    ordine = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("table on offer")
        verbose_name_plural = _("tables on offer")
        ordering = ["avviso", "ordine", "pk"]

    def __str__(self):
        return self.nome


class CriterioValutazione(models.Model):
    avviso = models.ForeignKey(Avviso, on_delete=models.PROTECT, related_name="criteri")
    descrizione = models.CharField(_("criterion"), max_length=300)
    punteggio_massimo = models.DecimalField(_("maximum score"), max_digits=6, decimal_places=2)
    ordine = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        ordering = ["avviso", "ordine", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(punteggio_massimo__gt=0), name="criterio_massimo_positivo"
            )
        ]

    def __str__(self):
        return self.descrizione


class Quesito(models.Model):
    """A question of a scheda di rilevazione (survey notice)."""

    class Tipo(models.TextChoices):
        TESTO = "testo", _("Text")
        NUMERO = "numero", _("Number")
        SCELTA_SINGOLA = "singola", _("Single choice")
        SCELTA_MULTIPLA = "multipla", _("Multiple choice")

    avviso = models.ForeignKey(Avviso, on_delete=models.PROTECT, related_name="quesiti")
    testo = models.CharField(_("question"), max_length=500)
    aiuto = models.CharField(_("help text"), max_length=500, blank=True)
    tipo = models.CharField(_("type"), max_length=10, choices=Tipo.choices)
    opzioni = models.TextField(_("options (one per line)"), blank=True)
    area = models.ForeignKey(
        AreaUtenza,
        verbose_name=_("target group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    obbligatorio = models.BooleanField(_("required"), default=False)
    ordine = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        ordering = ["avviso", "ordine", "pk"]

    def __str__(self):
        return self.testo

    @property
    def scelte(self):
        return [line.strip() for line in self.opzioni.splitlines() if line.strip()]


class DomandaQuerySet(models.QuerySet):
    def inviate(self):
        return self.exclude(stato=Domanda.Stato.BOZZA)


class Domanda(models.Model):
    """An organisation's application to a notice: drafted, submitted with a protocol number,
    then reviewed (istruttoria). Never deleted; after submission it changes only through the
    review (information requested → completed and submitted again)."""

    class Stato(models.TextChoices):
        BOZZA = "bozza", _("Draft")
        INVIATA = "inviata", _("Submitted")
        IN_ISTRUTTORIA = "in_istruttoria", _("Under review")
        INTEGRAZIONE = "integrazione", _("More information requested")
        AMMESSA = "ammessa", _("Admitted")
        NON_AMMESSA = "non_ammessa", _("Not admitted")
        SOSPESA = "sospesa", _("Suspended")
        REVOCATA = "revocata", _("Revoked")

    avviso = models.ForeignKey(Avviso, on_delete=models.PROTECT, related_name="domande")
    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    organizzazione = models.ForeignKey(
        Organizzazione, on_delete=models.PROTECT, related_name="domande"
    )
    stato = models.CharField(
        _("state"), max_length=20, choices=Stato.choices, default=Stato.BOZZA, db_index=True
    )
    protocollo_anno = models.PositiveSmallIntegerField(_("protocol year"), null=True, blank=True)
    protocollo_numero = models.PositiveIntegerField(_("protocol number"), null=True, blank=True)
    inviata_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    dichiarazioni = models.JSONField(_("declarations"), default=dict, blank=True)
    delegato_nome = models.CharField(_("delegate to the tables"), max_length=200, blank=True)
    delegato_email = models.EmailField(_("delegate's e-mail"), blank=True)
    supplente_nome = models.CharField(_("substitute"), max_length=200, blank=True)
    supplente_email = models.EmailField(_("substitute's e-mail"), blank=True)
    tavoli = models.ManyToManyField(
        TavoloOfferto, verbose_name=_("chosen tables"), related_name="domande", blank=True
    )
    proposta = models.TextField(_("proposal"), blank=True)
    proposta_budget = models.DecimalField(
        _("budget of the proposal (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    motivazione = models.TextField(_("reason of the outcome"), blank=True)
    richiesta_integrazione = models.TextField(_("information requested"), blank=True)
    ricevuta = models.FileField(_("receipt (PDF)"), upload_to="ricevute/%Y/", blank=True)
    ricevuta_inviata_at = models.DateTimeField(_("receipt sent at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DomandaQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-inviata_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["ambito", "protocollo_anno", "protocollo_numero"],
                name="protocollo_unico_per_ambito_e_anno",
            ),
            models.UniqueConstraint(
                fields=["avviso", "organizzazione"], name="una_domanda_per_avviso"
            ),
        ]

    def __str__(self):
        return f"{self.organizzazione} — {self.avviso}"

    @property
    def protocollo(self):
        if self.protocollo_numero is None:
            return ""
        return f"{self.protocollo_anno}/{self.protocollo_numero:06d}"


class ContatoreProtocollo(models.Model):
    """The last protocol number given in an ambito in a year: locked to give the next one."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    anno = models.PositiveSmallIntegerField()
    ultimo = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ambito", "anno"], name="contatore_unico")]

    def __str__(self):
        return f"{self.ambito_id}/{self.anno}: {self.ultimo}"


class AllegatoDomanda(models.Model):
    domanda = models.ForeignKey(Domanda, on_delete=models.PROTECT, related_name="allegati")
    titolo = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="domande/%Y/")
    dimensione = models.PositiveIntegerField(_("size"), default=0)
    caricato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Kept, never deleted: a file replaced while a draft is only hidden.
    rimosso_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("application attachment")
        verbose_name_plural = _("application attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.titolo


class Risposta(models.Model):
    """The answer of an application to a survey question."""

    domanda = models.ForeignKey(Domanda, on_delete=models.PROTECT, related_name="risposte")
    quesito = models.ForeignKey(Quesito, on_delete=models.PROTECT, related_name="risposte")
    valore = models.JSONField(_("answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["domanda", "quesito"], name="una_risposta_per_quesito")
        ]

    def __str__(self):
        return f"{self.quesito}: {self.valore}"


class Punteggio(models.Model):
    """A commission member's score of an admitted proposal on one criterion."""

    domanda = models.ForeignKey(Domanda, on_delete=models.PROTECT, related_name="punteggi")
    criterio = models.ForeignKey(
        CriterioValutazione, on_delete=models.PROTECT, related_name="punteggi"
    )
    commissario = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    punti = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    nota = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["domanda", "criterio", "commissario"], name="un_punteggio_per_commissario"
            ),
            models.CheckConstraint(condition=Q(punti__gte=0), name="punti_non_negativi"),
        ]

    def __str__(self):
        return f"{self.domanda} · {self.criterio}: {self.punti}"
