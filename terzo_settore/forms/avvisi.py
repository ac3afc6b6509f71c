"""Forms and filters of the notices (avvisi) the Ufficio di Piano publishes."""

import re
from decimal import Decimal

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, Ruolo
from pdz.forms import ImportoField
from pdz.models import User
from pdz.validators import validate_pdf
from terzo_settore.models import AllegatoAvviso, Avviso, CriterioValutazione, TavoloOfferto

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M", "%d/%m/%Y"]


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; without it, ``gg/mm/aaaa hh:mm`` works too."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def date_time_field(label, **kwargs):
    return forms.DateTimeField(
        label=label, widget=DateTimeInput, input_formats=DATETIME_INPUT_FORMATS, **kwargs
    )


class AvvisoForm(forms.ModelForm):
    apertura = date_time_field(_("Opens at"))
    chiusura = date_time_field(
        _("Closes at"), help_text=_("Applications are refused from this moment on.")
    )
    budget = ImportoField(label=_("Budget (€)"), required=False, min_value=0)

    class Meta:
        model = Avviso
        fields = [
            "tipo",
            "titolo",
            "testo",
            "apertura",
            "chiusura",
            "oggetto",
            "budget",
            "durata",
            "responsabile",
            "cup",
            "commissione",
        ]
        widgets = {
            "testo": forms.Textarea(attrs={"rows": 8}),
            "oggetto": forms.Textarea(attrs={"rows": 4}),
            "commissione": forms.CheckboxSelectMultiple,
            "cup": forms.TextInput(
                attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 15}
            ),
        }
        help_texts = {
            "testo": _("Who may apply, what is asked, how applications are reviewed."),
            "durata": _("E.g. 24 months from the signing of the agreement."),
            "cup": _("The 15-character Codice Unico di Progetto, if the procedure has one."),
            "commissione": _("People with a role in the ambito who will score the proposals."),
        }

    # the fields only a co-programming / co-design notice has
    CAMPI_COPROGETTAZIONE = ("oggetto", "budget", "durata", "responsabile", "cup", "commissione")

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ambito = ambito
        if self.instance.pk is None:
            # The fields of the kind come on the next page, once the kind is chosen.
            for name in self.CAMPI_COPROGETTAZIONE:
                del self.fields[name]
        elif self.instance.tipo != Avviso.Tipo.COPROGETTAZIONE:
            for name in self.CAMPI_COPROGETTAZIONE:
                del self.fields[name]
        else:
            self.fields["commissione"].queryset = User.objects.filter(
                pk__in=Ruolo.objects.attivi().filter(ambito=ambito).values("user")
            ).order_by("full_name", "email")

    def clean_cup(self):
        value = self.cleaned_data["cup"].strip().upper().replace(" ", "")
        if value and not re.fullmatch(r"[A-Z0-9]{15}", value):
            raise ValidationError(
                _("A CUP code has exactly 15 letters and digits (you typed %(n)d)."),
                code="cup",
                params={"n": len(value)},
            )
        return value

    def clean(self):
        cleaned = super().clean()
        apertura, chiusura = cleaned.get("apertura"), cleaned.get("chiusura")
        if apertura and chiusura and chiusura <= apertura:
            self.add_error("chiusura", _("The notice must close after it opens."))
        return cleaned


class BaseRigheFormSet(forms.BaseInlineFormSet):
    """Rows of a notice (tables, criteria) in the order they are typed."""

    def get_queryset(self):
        return super().get_queryset().order_by("ordine", "pk")


TavoliOffertiFormSet = forms.inlineformset_factory(
    Avviso,
    TavoloOfferto,
    formset=BaseRigheFormSet,
    fields=["nome", "descrizione"],
    widgets={"descrizione": forms.Textarea(attrs={"rows": 2})},
    extra=2,
    can_delete=True,
)


class CriterioForm(forms.ModelForm):
    punteggio_massimo = ImportoField(
        label=_("Maximum score"), max_digits=6, min_value=Decimal("0.01")
    )

    class Meta:
        model = CriterioValutazione
        fields = ["descrizione", "punteggio_massimo"]


CriteriFormSet = forms.inlineformset_factory(
    Avviso,
    CriterioValutazione,
    form=CriterioForm,
    formset=BaseRigheFormSet,
    extra=2,
    can_delete=True,
)


def formsets_for(avviso, data=None):
    """The inline formsets the kind of ``avviso`` needs, by name."""
    if avviso.pk is None:
        return {}
    if avviso.tipo == Avviso.Tipo.MANIFESTAZIONE:
        return {"tavoli": TavoliOffertiFormSet(data, instance=avviso, prefix="tavoli")}
    if avviso.tipo == Avviso.Tipo.COPROGETTAZIONE:
        return {"criteri": CriteriFormSet(data, instance=avviso, prefix="criteri")}
    return {}


class AllegatoAvvisoForm(forms.ModelForm):
    file = forms.FileField(
        label=_("File (PDF, at most 10 MB)"),
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = AllegatoAvviso
        fields = ["titolo", "file"]
        help_texts = {"titolo": _("E.g. Application form, Privacy notice.")}


class ProrogaForm(forms.Form):
    chiusura = date_time_field(_("New closing date and time"))

    def __init__(self, *args, avviso, **kwargs):
        super().__init__(*args, **kwargs)
        self.avviso = avviso

    def clean_chiusura(self):
        value = self.cleaned_data["chiusura"]
        if value <= self.avviso.chiusura:
            raise ValidationError(
                _("The new closing time must be later than the current one."), code="prima"
            )
        if value <= timezone.now():
            raise ValidationError(_("The new closing time must be in the future."), code="passato")
        return value


class AnnullaForm(forms.Form):
    motivazione = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the notice, e.g. the number of the act that withdraws it."),
    )


# --- filters ---------------------------------------------------------------------------------


class AvvisoGestioneFilter(django_filters.FilterSet):
    """The notices of one ambito in its back-office."""

    q = django_filters.CharFilter(
        label=_("Title"),
        field_name="titolo",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    tipo = django_filters.ChoiceFilter(
        label=_("Type"), choices=Avviso.Tipo.choices, empty_label=_("All")
    )
    stato = django_filters.ChoiceFilter(
        label=_("State"), choices=Avviso.Stato.choices, empty_label=_("All")
    )


class AvvisoPubblicoFilter(django_filters.FilterSet):
    ambito = django_filters.ModelChoiceFilter(
        label=_("Ambito"), queryset=Ambito.objects.all(), empty_label=_("All")
    )
    tipo = django_filters.ChoiceFilter(
        label=_("Type"), choices=Avviso.Tipo.choices, empty_label=_("All")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the ambiti that have published something.
        self.filters["ambito"].queryset = Ambito.objects.filter(
            pk__in=Avviso.objects.filter(
                Q(stato=Avviso.Stato.PUBBLICATO) | Q(pubblicato_at__isnull=False)
            ).values("ambito")
        )
