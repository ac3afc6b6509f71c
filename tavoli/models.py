"""The collegial bodies of the process (tavoli, Assemblea dei Sindaci), their members and
meetings: convocations, attendance, minutes and votes."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ambiti.models import Ambito, AreaUtenza, Ente, RiferimentoQuerySet, SubAmbito
from terzo_settore.models import Domanda, TavoloOfferto


class AreaPolicy(models.Model):
    """A transversal policy area (domiciliarità, lavoro, abitare…). Reference data: a shared
    list and each ambito's additions, as its Region's list says."""

    ambito = models.ForeignKey(
        Ambito, null=True, blank=True, on_delete=models.PROTECT, related_name="aree_policy"
    )
    nome = models.CharField(_("name"), max_length=200)
    ordine = models.PositiveSmallIntegerField(_("order"), default=0)
    attiva = models.BooleanField(_("active"), default=True)

    objects = RiferimentoQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy area")
        verbose_name_plural = _("policy areas")
        ordering = ["ordine", "nome"]

    def __str__(self):
        return self.nome


class RegolaVotoQuerySet(models.QuerySet):
    def per_ambito(self, ambito):
        return self.filter(Q(ambito__isnull=True) | Q(ambito=ambito))


class RegolaVoto(models.Model):
    """How a body decides: data, because every ambito's rules differ (DOMAIN.md § 6).

    Percentages are "more than": a quorum of 50 means more than half of the members (half
    plus one); a threshold of 50 means more than half. The quorum is measured on what the
    rule weighs: heads, population, or both for a double majority.
    """

    class Peso(models.TextChoices):
        TESTA = "testa", _("One head, one vote")
        POPOLAZIONE = "popolazione", _("Weighted by population")
        DOPPIA = "doppia", _("Double majority (heads and population)")

    class Maggioranza(models.TextChoices):
        SEMPLICE = "semplice", _("More votes in favour than against")
        PRESENTI = "presenti", _("Majority of those present")
        COMPONENTI = "componenti", _("Majority of the members")
        UNANIMITA = "unanimita", _("Unanimity of those present")

    ambito = models.ForeignKey(
        Ambito, null=True, blank=True, on_delete=models.PROTECT, related_name="regole_voto"
    )
    nome = models.CharField(_("name"), max_length=200)
    peso = models.CharField(_("weight of each vote"), max_length=20, choices=Peso.choices)
    maggioranza = models.CharField(
        _("majority required"), max_length=20, choices=Maggioranza.choices
    )
    soglia = models.DecimalField(
        _("threshold (%)"),
        max_digits=5,
        decimal_places=2,
        default=50,
        help_text=_("Votes in favour must be more than this share of those present or members."),
    )
    quorum_prima = models.DecimalField(
        _("quorum at first call (%)"),
        max_digits=5,
        decimal_places=2,
        default=50,
        help_text=_("Those present must be more than this share of the members; 0 = none."),
    )
    quorum_seconda = models.DecimalField(
        _("quorum at second call (%)"), max_digits=5, decimal_places=2, default=0
    )

    objects = RegolaVotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("voting rule")
        verbose_name_plural = _("voting rules")
        ordering = ["nome"]
        constraints = [
            models.CheckConstraint(
                condition=Q(soglia__gte=0, soglia__lt=100)
                & Q(quorum_prima__gte=0, quorum_prima__lt=100)
                & Q(quorum_seconda__gte=0, quorum_seconda__lt=100),
                name="regola_percentuali_valide",
            )
        ]

    def __str__(self):
        return self.nome

    @property
    def usa_popolazione(self):
        return self.peso in (self.Peso.POPOLAZIONE, self.Peso.DOPPIA)


class TavoloQuerySet(models.QuerySet):
    def of_ambiti(self, ambiti):
        """Bodies led by, or spanning, one of ``ambiti``."""
        return self.filter(Q(ambito__in=ambiti) | Q(ambiti_coinvolti__in=ambiti)).distinct()


class Tavolo(models.Model):
    """A standing collegial body with members and meetings."""

    class Tipo(models.TextChoices):
        ASSEMBLEA_SINDACI = "assemblea_sindaci", _("Assemblea / Comitato dei Sindaci")
        POLITICO = "politico", _("Political table")
        AREA = "area", _("Thematic / target-group table")
        CONCERTAZIONE = "concertazione", _("Concertation table")
        CONSULTAZIONE = "consultazione", _("Consultation table")
        RAPPRESENTANZA_ETS = "rappresentanza_ets", _("Third-sector representation table")
        GRUPPO_LAVORO = "gruppo_lavoro", _("Working group")
        COMMISSIONE = "commissione", _("Project evaluation commission")
        CONFERENZA = "conferenza", _("Conferenza di piano")

    ambito = models.ForeignKey(
        Ambito, verbose_name=_("lead ambito"), on_delete=models.PROTECT, related_name="tavoli"
    )
    ambiti_coinvolti = models.ManyToManyField(
        Ambito,
        verbose_name=_("other ambiti taking part"),
        related_name="tavoli_condivisi",
        blank=True,
        help_text=_("Their Uffici di Piano see and run the body together."),
    )
    sub_ambito = models.ForeignKey(
        SubAmbito,
        verbose_name=_("sub-ambito"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tavoli",
    )
    tipo = models.CharField(_("kind"), max_length=30, choices=Tipo.choices, db_index=True)
    nome = models.CharField(_("name"), max_length=200)
    descrizione = models.TextField(_("description"), blank=True)
    aree_utenza = models.ManyToManyField(
        AreaUtenza, verbose_name=_("target groups"), related_name="tavoli", blank=True
    )
    aree_policy = models.ManyToManyField(
        AreaPolicy, verbose_name=_("policy areas"), related_name="tavoli", blank=True
    )
    coordinatore = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tavoli_coordinati",
    )
    regola_voto = models.ForeignKey(
        RegolaVoto,
        verbose_name=_("voting rule"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tavoli",
    )
    tavolo_offerto = models.OneToOneField(
        TavoloOfferto,
        verbose_name=_("table offered by a manifestazione d'interesse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tavolo",
    )
    preavviso_ore = models.PositiveIntegerField(
        _("notice period (hours)"),
        default=120,
        help_text=_("Convening later than this needs an explicit urgent confirmation."),
    )
    promemoria_ore = models.PositiveIntegerField(
        _("reminder (hours before)"), default=24, help_text=_("0 = no reminder.")
    )
    pubblico = models.BooleanField(
        _("public"), default=True, help_text=_("Citizens see its meetings and approved minutes.")
    )
    attivo = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TavoloQuerySet.as_manager()

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["ambito", "nome"]

    def __str__(self):
        return self.nome


class MembroQuerySet(models.QuerySet):
    def attivi(self):
        return self.filter(rimosso_at__isnull=True)

    def di_persona(self, email):
        """Memberships where ``email`` is the delegate or the substitute."""
        return self.filter(Q(delegato_email__iexact=email) | Q(supplente_email__iexact=email))


class Membro(models.Model):
    """A party sitting at a body and the people who represent it. Removed, never deleted."""

    class Ruolo(models.TextChoices):
        PRESIDENTE = "presidente", _("Chair")
        COMPONENTE = "componente", _("Member")
        SEGRETARIO = "segretario", _("Secretary")
        UDITORE = "uditore", _("Observer")

    tavolo = models.ForeignKey(Tavolo, on_delete=models.PROTECT, related_name="membri")
    ente = models.ForeignKey(
        Ente, verbose_name=_("party"), on_delete=models.PROTECT, related_name="membri_tavoli"
    )
    ruolo = models.CharField(
        _("role"), max_length=20, choices=Ruolo.choices, default=Ruolo.COMPONENTE
    )
    diritto_voto = models.BooleanField(_("voting right"), default=True)
    delegato_nome = models.CharField(_("delegate"), max_length=200)
    delegato_email = models.EmailField(_("delegate's e-mail"))
    supplente_nome = models.CharField(_("substitute"), max_length=200, blank=True)
    supplente_email = models.EmailField(_("substitute's e-mail"), blank=True)
    domanda = models.ForeignKey(
        Domanda,
        verbose_name=_("from the application"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rimosso_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    objects = MembroQuerySet.as_manager()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["tavolo", "ente__denominazione"]
        constraints = [
            models.UniqueConstraint(
                fields=["tavolo", "ente"],
                condition=Q(rimosso_at__isnull=True),
                name="un_membro_attivo_per_ente",
            )
        ]

    def __str__(self):
        return f"{self.ente} — {self.delegato_nome}"

    def rappresenta(self, email):
        email = (email or "").lower()
        return bool(email) and email in (self.delegato_email.lower(), self.supplente_email.lower())


class IncontroQuerySet(models.QuerySet):
    def futuri(self):
        return self.filter(inizio__gte=timezone.now()).exclude(stato=Incontro.Stato.ANNULLATO)


class Incontro(models.Model):
    """A meeting (seduta) of a body."""

    class Stato(models.TextChoices):
        PIANIFICATO = "pianificato", _("Planned")
        CONVOCATO = "convocato", _("Convened")
        SVOLTO = "svolto", _("Held")
        VERBALE_REDATTO = "verbale_redatto", _("Minutes drafted")
        VERBALE_APPROVATO = "verbale_approvato", _("Minutes approved")
        PUBBLICATO = "pubblicato", _("Published")
        ANNULLATO = "annullato", _("Cancelled")

    tavolo = models.ForeignKey(Tavolo, on_delete=models.PROTECT, related_name="incontri")
    titolo = models.CharField(_("title"), max_length=200)
    inizio = models.DateTimeField(_("starts at"), db_index=True)
    fine = models.DateTimeField(_("ends at"))
    luogo = models.CharField(_("place"), max_length=300, blank=True)
    link_online = models.URLField(_("online meeting link"), blank=True)
    note = models.TextField(_("notes for the members"), blank=True)
    stato = models.CharField(
        _("state"), max_length=20, choices=Stato.choices, default=Stato.PIANIFICATO, db_index=True
    )
    urgente = models.BooleanField(_("urgent"), default=False)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # RFC 5545 SEQUENCE: raised on every change members are told about.
    sequenza = models.PositiveIntegerField(default=0)
    convocato_at = models.DateTimeField(_("convened at"), null=True, blank=True)
    annullato_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    motivo_annullamento = models.TextField(_("reason for cancelling"), blank=True)
    # The minutes (verbale): written per agenda item, plus this general part.
    verbale = models.TextField(_("minutes: general part"), blank=True)
    verbale_inviato_at = models.DateTimeField(_("draft minutes sent at"), null=True, blank=True)
    verbale_approvato_in = models.ForeignKey(
        "self",
        verbose_name=_("minutes approved at the meeting"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="verbali_approvati",
    )
    verbale_approvato_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)
    pubblicato_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IncontroQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-inizio"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine__gt=models.F("inizio")), name="fine_dopo_inizio"
            )
        ]

    def __str__(self):
        return f"{self.tavolo} — {self.titolo}"

    @property
    def annullato(self):
        return self.stato == self.Stato.ANNULLATO


class PuntoOdg(models.Model):
    """An item of the agenda (ordine del giorno), with its part of the minutes."""

    incontro = models.ForeignKey(Incontro, on_delete=models.PROTECT, related_name="punti")
    numero = models.PositiveSmallIntegerField(_("number"))
    titolo = models.CharField(_("item"), max_length=300)
    descrizione = models.TextField(_("description"), blank=True)
    verbale = models.TextField(_("minutes of this item"), blank=True)
    approva_verbale_di = models.ForeignKey(
        Incontro,
        verbose_name=_("approves the minutes of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="punti_approvazione",
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["incontro", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["incontro", "numero"], name="punto_numero_unico")
        ]

    def __str__(self):
        return f"{self.numero}. {self.titolo}"


class Documento(models.Model):
    """A file of a meeting: papers for the agenda or attachments of the minutes."""

    class Tipo(models.TextChoices):
        DOCUMENTO = "documento", _("Meeting paper")
        ALLEGATO_VERBALE = "allegato_verbale", _("Attachment to the minutes")

    incontro = models.ForeignKey(Incontro, on_delete=models.PROTECT, related_name="documenti")
    tipo = models.CharField(_("kind"), max_length=20, choices=Tipo.choices)
    titolo = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="incontri/%Y/")
    caricato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rimosso_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["incontro", "tipo", "created_at"]

    def __str__(self):
        return self.titolo


class Convocazione(models.Model):
    """What one recipient was sent about one meeting, and their answer (RSVP).

    The row is the truth of delivery: ``sequenza_inviata`` is the last version of the meeting
    the recipient received, so a task run twice, or re-run after a crash, sends nothing
    again; a row still behind the meeting's ``sequenza`` is still to be sent.
    """

    class Destinatario(models.TextChoices):
        DELEGATO = "delegato", _("Delegate")
        SUPPLENTE = "supplente", _("Substitute")
        ENTE_PEC = "ente_pec", _("Party's PEC address")

    class Canale(models.TextChoices):
        EMAIL = "email", _("E-mail")
        PEC = "pec", _("PEC")

    class Stato(models.TextChoices):
        IN_CODA = "in_coda", _("Queued")
        INVIATA = "inviata", _("Sent")
        FALLITA = "fallita", _("Failed")
        NON_DOVUTA = "non_dovuta", _("Not sent: meeting cancelled before")

    class Risposta(models.TextChoices):
        SI = "si", _("Will attend")
        NO = "no", _("Will not attend")
        DELEGA = "delega", _("Sends someone else")

    incontro = models.ForeignKey(Incontro, on_delete=models.PROTECT, related_name="convocazioni")
    membro = models.ForeignKey(Membro, on_delete=models.PROTECT, related_name="convocazioni")
    destinatario = models.CharField(max_length=20, choices=Destinatario.choices)
    canale = models.CharField(_("channel"), max_length=10, choices=Canale.choices)
    nome = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("address"))
    stato = models.CharField(
        _("delivery"), max_length=10, choices=Stato.choices, default=Stato.IN_CODA, db_index=True
    )
    sequenza_inviata = models.IntegerField(default=-1)
    tentativi = models.PositiveSmallIntegerField(_("attempts"), default=0)
    errore = models.TextField(_("error"), blank=True)
    message_id = models.CharField(_("message id"), max_length=300, blank=True)
    inviata_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    accodata_at = models.DateTimeField(default=timezone.now)
    promemoria_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    risposta = models.CharField(_("answer"), max_length=10, choices=Risposta.choices, blank=True)
    risposta_delegato = models.CharField(_("sent in their place"), max_length=200, blank=True)
    risposta_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("convocation")
        verbose_name_plural = _("convocations")
        ordering = ["incontro", "membro__ente__denominazione", "destinatario"]
        constraints = [
            models.UniqueConstraint(
                fields=["incontro", "membro", "destinatario"], name="una_convocazione_per_persona"
            )
        ]

    def __str__(self):
        return f"{self.incontro} → {self.email}"


class Presenza(models.Model):
    """The attendance register of a meeting: one row per member."""

    class Stato(models.TextChoices):
        PRESENTE = "presente", _("Present")
        ASSENTE = "assente", _("Absent")
        DELEGATO = "delegato", _("Represented by a delegate")

    incontro = models.ForeignKey(Incontro, on_delete=models.PROTECT, related_name="presenze")
    membro = models.ForeignKey(Membro, on_delete=models.PROTECT, related_name="presenze")
    stato = models.CharField(_("attendance"), max_length=10, choices=Stato.choices)
    rappresentato_da = models.CharField(_("represented by"), max_length=200, blank=True)
    registrato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["incontro", "membro__ente__denominazione"]
        constraints = [
            models.UniqueConstraint(fields=["incontro", "membro"], name="una_presenza_per_membro")
        ]

    def __str__(self):
        return f"{self.membro} — {self.get_stato_display()}"

    @property
    def presente(self):
        return self.stato in (self.Stato.PRESENTE, self.Stato.DELEGATO)


class Votazione(models.Model):
    """A vote of a body, online or by show of hands at a meeting, under the body's rule.

    Closing it stores the whole count (``risultato``: heads and weight, quorum, outcome)
    computed by ``tavoli.conteggio``; the rule is copied, so later edits of it change nothing.
    """

    class Modalita(models.TextChoices):
        ONLINE = "online", _("Online, in the browser")
        PALESE = "palese", _("Show of hands at the meeting")

    class Stato(models.TextChoices):
        APERTA = "aperta", pgettext_lazy("vote", "Open")
        CHIUSA = "chiusa", pgettext_lazy("vote", "Closed")
        ANNULLATA = "annullata", pgettext_lazy("vote", "Void")

    class Esito(models.TextChoices):
        APPROVATA = "approvata", pgettext_lazy("vote", "Approved")
        RESPINTA = "respinta", pgettext_lazy("vote", "Rejected")
        NULLA = "nulla", _("Quorum not reached")

    tavolo = models.ForeignKey(Tavolo, on_delete=models.PROTECT, related_name="votazioni")
    punto = models.ForeignKey(
        PuntoOdg,
        verbose_name=_("agenda item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="votazioni",
    )
    oggetto = models.CharField(_("motion"), max_length=300)
    testo = models.TextField(_("text of the motion"), blank=True)
    modalita = models.CharField(_("how"), max_length=10, choices=Modalita.choices)
    seconda_convocazione = models.BooleanField(_("second call"), default=False)
    regola = models.JSONField(_("voting rule applied"))
    stato = models.CharField(
        _("state"), max_length=10, choices=Stato.choices, default=Stato.APERTA, db_index=True
    )
    chiude_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    esito = models.CharField(_("outcome"), max_length=10, choices=Esito.choices, blank=True)
    risultato = models.JSONField(_("result"), default=dict, blank=True)
    aperta_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    chiusa_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-created_at"]

    def __str__(self):
        return self.oggetto

    @property
    def aperta(self):
        return self.stato == self.Stato.APERTA


class Voto(models.Model):
    """How one member voted; a delegate or substitute may cast it (``espresso_da``)."""

    class Scelta(models.TextChoices):
        FAVOREVOLE = "favorevole", _("In favour")
        CONTRARIO = "contrario", _("Against")
        ASTENUTO = "astenuto", _("Abstaining")

    votazione = models.ForeignKey(Votazione, on_delete=models.PROTECT, related_name="voti")
    membro = models.ForeignKey(Membro, on_delete=models.PROTECT, related_name="voti")
    scelta = models.CharField(_("vote"), max_length=10, choices=Scelta.choices)
    espresso_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [
            models.UniqueConstraint(fields=["votazione", "membro"], name="un_voto_per_membro")
        ]

    def __str__(self):
        return f"{self.membro} — {self.get_scelta_display()}"


class FeedCalendario(models.Model):
    """The secret address of a person's calendar feed; a new token revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feed_calendario"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return str(self.user)

    @staticmethod
    def nuovo_token():
        return secrets.token_urlsafe(32)
