"""Territory and governance: comuni, ambiti, parties (enti) and the roles people hold."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.it.it_province import PROVINCE_CHOICES
from localflavor.it.it_region import REGION_CHOICES

from ambiti.validators import validate_codice_fiscale, validate_partita_iva


class ComuneQuerySet(models.QuerySet):
    def attivi(self):
        return self.filter(attivo=True)

    def with_popolazione(self):
        """Annotates ``popolazione`` and ``popolazione_al``: the latest residents figure."""
        return self.annotate(**popolazione_piu_recente("pk"))


def popolazione_piu_recente(comune_ref):
    """Annotations ``popolazione`` and ``popolazione_al`` of the latest figure of the comune
    whose primary key is the outer field ``comune_ref``."""
    latest = Popolazione.objects.filter(comune=OuterRef(comune_ref)).order_by("-data_riferimento")
    return {
        "popolazione": Subquery(latest.values("residenti")[:1]),
        "popolazione_al": Subquery(latest.values("data_riferimento")[:1]),
    }


class Comune(models.Model):
    """An Italian municipality, from the national list (``load_comuni``)."""

    codice_catastale = models.CharField(_("cadastral code"), max_length=4, unique=True)
    codice_istat = models.CharField(_("ISTAT code"), max_length=6, blank=True, db_index=True)
    nome = models.CharField(_("name"), max_length=120, db_index=True)
    provincia = models.CharField(_("province"), max_length=2, choices=PROVINCE_CHOICES)
    regione = models.CharField(_("region"), max_length=3, choices=REGION_CHOICES)
    attivo = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["nome", "provincia"]

    def __str__(self):
        return f"{self.nome} ({self.provincia})"


class Popolazione(models.Model):
    """Residents of a comune at a reference date (ISTAT). History is kept."""

    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="popolazioni")
    data_riferimento = models.DateField(_("reference date"))
    residenti = models.PositiveIntegerField(_("residents"))
    fonte = models.CharField(_("source"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["comune", "-data_riferimento"]
        constraints = [
            models.UniqueConstraint(
                fields=["comune", "data_riferimento"], name="popolazione_unica_per_data"
            )
        ]

    def __str__(self):
        return f"{self.comune}: {self.residenti} ({self.data_riferimento:%d/%m/%Y})"


class AmbitoQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The ambiti whose non-public data ``user`` may see: where they hold a role."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(pk__in=Ruolo.objects.attivi().filter(user=user).values("ambito"))

    def managed_by(self, user):
        """The ambiti ``user`` may change: Ufficio di Piano staff and coordinatori."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            pk__in=Ruolo.objects.attivi()
            .filter(user=user, tipo__in=Ruolo.TIPI_GESTIONE)
            .values("ambito")
        )


class Ambito(models.Model):
    """An ambito territoriale sociale: the comuni that plan their social services together."""

    codice = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short code used in addresses and protocol numbers, e.g. oglio-po."),
    )
    nome = models.CharField(_("name"), max_length=200)
    regione = models.CharField(_("region"), max_length=3, choices=REGION_CHOICES)
    ente_capofila = models.ForeignKey(
        "Ente",
        verbose_name=_("lead body (ente capofila)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ambiti_capofila",
    )
    descrizione = models.TextField(_("description"), blank=True)
    indirizzo_ufficio = models.CharField(_("Ufficio di Piano address"), max_length=300, blank=True)
    email_ufficio = models.EmailField(_("Ufficio di Piano e-mail"), blank=True)
    pec_ufficio = models.EmailField(_("Ufficio di Piano PEC"), blank=True)
    telefono_ufficio = models.CharField(_("Ufficio di Piano phone"), max_length=40, blank=True)
    orari_ufficio = models.CharField(_("opening hours"), max_length=300, blank=True)
    comuni = models.ManyToManyField(
        Comune, through="AppartenenzaComune", related_name="ambiti", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AmbitoQuerySet.as_manager()

    class Meta:
        verbose_name = _("ambito")
        verbose_name_plural = _("ambiti")
        ordering = ["nome"]

    def __str__(self):
        return self.nome

    def appartenenze_attuali(self, when=None):
        return self.appartenenze.in_vigore(when).select_related("comune", "sub_ambito")


class SubAmbito(models.Model):
    """A part of an ambito with tables of its own (e.g. Casalasco within Oglio Po)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="sub_ambiti")
    nome = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("sub-ambito")
        verbose_name_plural = _("sub-ambiti")
        ordering = ["ambito", "nome"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "nome"], name="sub_ambito_nome_unico")
        ]

    def __str__(self):
        return self.nome


class AppartenenzaQuerySet(models.QuerySet):
    def in_vigore(self, when=None):
        day = when or timezone.localdate()
        return self.filter(Q(dal__isnull=True) | Q(dal__lte=day)).filter(
            Q(al__isnull=True) | Q(al__gte=day)
        )

    def with_popolazione(self):
        return self.annotate(**popolazione_piu_recente("comune_id"))


class AppartenenzaComune(models.Model):
    """A comune belongs to an ambito from ``dal`` to ``al``; to one ambito at a time."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="appartenenze")
    comune = models.ForeignKey(Comune, on_delete=models.PROTECT, related_name="appartenenze")
    sub_ambito = models.ForeignKey(
        SubAmbito,
        verbose_name=_("sub-ambito"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appartenenze",
    )
    dal = models.DateField(_("from"), null=True, blank=True)
    al = models.DateField(_("until"), null=True, blank=True)

    objects = AppartenenzaQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership of a municipality")
        verbose_name_plural = _("memberships of municipalities")
        ordering = ["comune__nome"]
        constraints = [
            models.CheckConstraint(
                condition=Q(al__isnull=True) | Q(dal__isnull=True) | Q(al__gte=models.F("dal")),
                name="appartenenza_date_ordinate",
            )
        ]

    def __str__(self):
        return f"{self.comune} → {self.ambito}"


class EnteQuerySet(models.QuerySet):
    def of_ambito(self, ambito):
        return self.filter(ambiti=ambito)


class Ente(models.Model):
    """Every body that can sit at a table, be invited, vote or sign."""

    class Tipo(models.TextChoices):
        COMUNE = "comune", _("Municipality")
        UNIONE_COMUNI = "unione_comuni", _("Union of municipalities")
        ATS_ASL = "ats_asl", _("Health authority (ATS/ASL)")
        ASST = "asst", _("Health care trust (ASST)")
        PROVINCIA = "provincia", _("Province")
        SCUOLA = "scuola", _("School")
        SINDACATO = "sindacato", _("Trade union")
        TERZO_SETTORE = "terzo_settore", _("Third-sector organisation")
        ALTRO = "altro", _("Other")

    tipo = models.CharField(_("type"), max_length=20, choices=Tipo.choices, db_index=True)
    denominazione = models.CharField(_("name"), max_length=300, db_index=True)
    codice_fiscale = models.CharField(
        _("tax code (codice fiscale)"),
        max_length=16,
        blank=True,
        validators=[validate_codice_fiscale],
    )
    partita_iva = models.CharField(
        _("VAT number (partita IVA)"), max_length=11, blank=True, validators=[validate_partita_iva]
    )
    comune = models.OneToOneField(
        Comune,
        verbose_name=_("municipality it represents"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ente",
    )
    pec = models.EmailField(_("PEC (certified e-mail)"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    telefono = models.CharField(_("phone"), max_length=40, blank=True)
    indirizzo = models.CharField(_("address"), max_length=300, blank=True)
    sede = models.ForeignKey(
        Comune,
        verbose_name=_("registered office (municipality)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enti_con_sede",
    )
    ambiti = models.ManyToManyField(
        Ambito, verbose_name=_("ambiti"), related_name="enti", blank=True
    )
    attivo = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnteQuerySet.as_manager()

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["denominazione"]
        constraints = [
            models.UniqueConstraint(
                fields=["codice_fiscale"],
                condition=~Q(codice_fiscale=""),
                name="ente_codice_fiscale_unico",
            )
        ]

    def __str__(self):
        return self.denominazione


class RuoloQuerySet(models.QuerySet):
    def attivi(self, when=None):
        day = when or timezone.localdate()
        return self.filter(revocato_at__isnull=True, valido_dal__lte=day).filter(
            Q(valido_al__isnull=True) | Q(valido_al__gte=day)
        )


class Ruolo(models.Model):
    """A role a person holds in an ambito. Revoked, never deleted."""

    class Tipo(models.TextChoices):
        UFFICIO_PIANO = "ufficio_piano", _("Ufficio di Piano staff")
        COORDINATORE = "coordinatore", _("Coordinatore d'ambito")
        SINDACO = "sindaco", _("Mayor")
        DELEGATO_SINDACO = "delegato_sindaco", _("Mayor's delegate")
        RAPPRESENTANTE_ENTE = "rappresentante_ente", _("Representative of a party")
        REFERENTE_ETS = "referente_ets", _("Third-sector referente")

    TIPI_GESTIONE = (Tipo.UFFICIO_PIANO, Tipo.COORDINATORE)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ruoli"
    )
    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="ruoli")
    tipo = models.CharField(_("role"), max_length=30, choices=Tipo.choices, db_index=True)
    ente = models.ForeignKey(
        Ente,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ruoli",
        help_text=_("The comune of a mayor or delegate; the party of a representative."),
    )
    documento_delega = models.FileField(
        _("proxy document (delega)"), upload_to="deleghe/%Y/", blank=True
    )
    valido_dal = models.DateField(_("valid from"), default=timezone.localdate)
    valido_al = models.DateField(_("valid until"), null=True, blank=True)
    revocato_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RuoloQuerySet.as_manager()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["ambito", "tipo", "user__full_name"]

    def __str__(self):
        return f"{self.user} — {self.get_tipo_display()} ({self.ambito})"


class InvitoQuerySet(models.QuerySet):
    def aperti(self):
        return self.filter(
            accettato_at__isnull=True, revocato_at__isnull=True, scade_at__gt=timezone.now()
        )


class Invito(models.Model):
    """An e-mailed invitation to take a role in an ambito (mayors, representatives, staff)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="inviti")
    email = models.EmailField(_("e-mail"))
    full_name = models.CharField(_("full name"), max_length=200)
    tipo = models.CharField(_("role"), max_length=30, choices=Ruolo.Tipo.choices)
    ente = models.ForeignKey(
        Ente, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT
    )
    token = models.CharField(max_length=64, unique=True, editable=False)
    invitato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    scade_at = models.DateTimeField(_("expires at"))
    accettato_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accettato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revocato_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = InvitoQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} — {self.get_tipo_display()} ({self.ambito})"

    @property
    def scaduto(self):
        return self.scade_at <= timezone.now()


class RiferimentoQuerySet(models.QuerySet):
    """Reference data with a shared list (no ambito) that each ambito extends."""

    def per_ambito(self, ambito):
        """The shared list plus the ambito's own rows, active ones only."""
        return self.filter(Q(ambito__isnull=True) | Q(ambito=ambito), attiva=True)


class AreaUtenza(models.Model):
    """A target group (ISTAT "area di utenza"). The national list has no ambito; each ambito
    may add its own, as its Region's list says."""

    ambito = models.ForeignKey(
        Ambito, null=True, blank=True, on_delete=models.PROTECT, related_name="aree_utenza"
    )
    nome = models.CharField(_("name"), max_length=200)
    ordine = models.PositiveSmallIntegerField(_("order"), default=0)
    attiva = models.BooleanField(_("active"), default=True)

    objects = RiferimentoQuerySet.as_manager()

    class Meta:
        verbose_name = _("target group")
        verbose_name_plural = _("target groups")
        ordering = ["ordine", "nome"]

    def __str__(self):
        return self.nome
