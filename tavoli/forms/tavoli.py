"""Forms of the bodies (tavoli) and their members."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, AreaUtenza, Ente, Ruolo
from pdz.models import User
from tavoli.models import AreaPolicy, Membro, RegolaVoto, Tavolo
from terzo_settore.models import Avviso, TavoloOfferto


class TavoloForm(forms.ModelForm):
    """A body of ``ambito`` (its lead ambito): every choice is limited to that ambito's data."""

    class Meta:
        model = Tavolo
        fields = [
            "nome",
            "tipo",
            "descrizione",
            "sub_ambito",
            "ambiti_coinvolti",
            "aree_utenza",
            "aree_policy",
            "coordinatore",
            "regola_voto",
            "tavolo_offerto",
            "preavviso_ore",
            "promemoria_ore",
            "pubblico",
            "attivo",
        ]
        widgets = {
            "descrizione": forms.Textarea(attrs={"rows": 4}),
            "ambiti_coinvolti": forms.CheckboxSelectMultiple,
            "aree_utenza": forms.CheckboxSelectMultiple,
            "aree_policy": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "descrizione": _("What the body does, who sits at it, how often it meets."),
            "sub_ambito": _("Only if the body works for one part of the ambito."),
            "coordinatore": _("A person with a role in the ambito."),
            "regola_voto": _("Needed to take votes; the rules are reference data of the ambito."),
            "tavolo_offerto": _(
                "The table offered by a manifestazione d'interesse: its admitted organisations "
                "can then be seated in one step."
            ),
            "preavviso_ore": _(
                "E.g. 120 = 5 days. Convening later than this needs an explicit urgent "
                "confirmation."
            ),
        }

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.ambito = ambito
        self.instance.ambito = ambito
        fields = self.fields
        fields["sub_ambito"].queryset = ambito.sub_ambiti.all()
        if not ambito.sub_ambiti.exists():
            del fields["sub_ambito"]
        fields["ambiti_coinvolti"].queryset = Ambito.objects.exclude(pk=ambito.pk)
        fields["aree_utenza"].queryset = AreaUtenza.objects.per_ambito(ambito)
        fields["aree_policy"].queryset = AreaPolicy.objects.per_ambito(ambito)
        fields["regola_voto"].queryset = RegolaVoto.objects.per_ambito(ambito)
        offerti = TavoloOfferto.objects.filter(
            avviso__ambito=ambito, avviso__tipo=Avviso.Tipo.MANIFESTAZIONE
        ).select_related("avviso")
        # A table offered is linked to one body at most (a one-to-one link).
        offerti = offerti.filter(Q(tavolo__isnull=True) | Q(tavolo=self.instance.pk))
        fields["tavolo_offerto"].queryset = offerti.order_by("avviso__titolo", "ordine", "nome")
        fields["tavolo_offerto"].label_from_instance = lambda t: f"{t.avviso.titolo} — {t.nome}"
        persone = Q(pk__in=Ruolo.objects.attivi().filter(ambito=ambito).values("user"))
        if self.instance.coordinatore_id:
            persone |= Q(pk=self.instance.coordinatore_id)
        fields["coordinatore"].queryset = User.objects.filter(persone).order_by("full_name")
        if self.instance.pk is None:
            del fields["attivo"]

    def clean(self):
        cleaned = super().clean()
        # Choices filtered above already refuse data of other ambiti; this guards the model.
        sub = cleaned.get("sub_ambito")
        if sub is not None and sub.ambito_id != self.ambito.pk:
            self.add_error("sub_ambito", _("Choose a sub-ambito of the ambito."))
        return cleaned


class MembroForm(forms.ModelForm):
    """Seat a party of the body's ambiti, with the people who represent it."""

    class Meta:
        model = Membro
        fields = [
            "ente",
            "delegato_nome",
            "delegato_email",
            "supplente_nome",
            "supplente_email",
            "ruolo",
            "diritto_voto",
        ]
        help_texts = {
            "ente": _("The parties of the body's ambiti not yet seated."),
            "delegato_email": _(
                "Convocations go to this address; the person votes online by signing in with it."
            ),
            "supplente_email": _("The substitute receives the convocations too."),
        }

    def __init__(self, *args, tavolo, ambiti, **kwargs):
        super().__init__(*args, **kwargs)
        self.tavolo = tavolo
        self.instance.tavolo = tavolo
        seduti = tavolo.membri.attivi().values("ente_id")
        self.fields["ente"].queryset = (
            Ente.objects.filter(ambiti__in=ambiti, attivo=True)
            .exclude(pk__in=seduti)
            .distinct()
            .order_by("denominazione")
        )

    def clean(self):
        cleaned = super().clean()
        nome, email = cleaned.get("supplente_nome", ""), cleaned.get("supplente_email", "")
        if email and not nome:
            self.add_error("supplente_nome", _("Write the name of the substitute."))
        if nome and not email and "supplente_email" not in self.errors:
            self.add_error("supplente_email", _("Write the e-mail address of the substitute."))
        delegato = (cleaned.get("delegato_email") or "").lower()
        if delegato and email and delegato == email.lower():
            self.add_error("supplente_email", _("The substitute needs an address of their own."))
        return cleaned

    def dati(self):
        """The member's fields for ``services.aggiungi_membro`` / ``modifica_membro``."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "ente"}


class MembroModificaForm(MembroForm):
    """The party stays; the people, role and voting right change."""

    class Meta(MembroForm.Meta):
        fields = [name for name in MembroForm.Meta.fields if name != "ente"]

    def __init__(self, *args, tavolo, **kwargs):
        forms.ModelForm.__init__(self, *args, **kwargs)
        self.tavolo = tavolo
