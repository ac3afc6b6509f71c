"""Forms of the reference data an ambito keeps for its bodies: policy areas and voting rules."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from tavoli.models import AreaPolicy, RegolaVoto


class AreaPolicyForm(forms.ModelForm):
    class Meta:
        model = AreaPolicy
        fields = ["nome", "ordine", "attiva"]
        help_texts = {
            "ordine": _("Areas are listed by this number, then by name."),
            "attiva": _(
                "An inactive area is no longer offered for the bodies; those that have it keep it."
            ),
        }

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.ambito = ambito
        self.instance.ambito = ambito
        self.fields["ordine"].required = False
        if self.instance.pk is None:
            del self.fields["attiva"]

    def clean_ordine(self):
        return self.cleaned_data["ordine"] or 0

    def clean_nome(self):
        nome = " ".join(self.cleaned_data["nome"].split())
        doppioni = AreaPolicy.objects.filter(
            Q(ambito__isnull=True) | Q(ambito=self.ambito), nome__iexact=nome
        ).exclude(pk=self.instance.pk)
        if doppioni.exists():
            raise ValidationError(_("There is already a policy area with this name."))
        return nome


class PercentualeField(forms.DecimalField):
    """A percentage typed either way: ``66,66``, ``66.66`` or ``66,66 %``; from 0 up to,
    not including, 100."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal", "autocomplete": "off", "size": 6}

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("%", "").replace(" ", "").replace(",", ".").strip()
            if not value:
                return None
            try:
                Decimal(value)
            except InvalidOperation:
                raise ValidationError(
                    _("Write a number such as 50 or 66,66."), code="invalid"
                ) from None
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and not (0 <= value < 100):
            raise ValidationError(
                _("Write a percentage from 0 to 99,99: the rule reads “more than” it."),
                code="range",
            )

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            if value == value.to_integral():
                return str(int(value))
            return number_format(value.normalize(), use_l10n=True)
        return value


class RegolaVotoForm(forms.ModelForm):
    soglia = PercentualeField(
        label=_("Threshold (%)"),
        help_text=_(
            "With a majority of those present or of the members, the votes in favour must be "
            "more than this share of them: 50 = half plus one, 66,66 = two thirds. Not used by "
            "“more votes in favour than against” and by unanimity."
        ),
    )
    quorum_prima = PercentualeField(
        label=_("Quorum at first call (%)"),
        help_text=_(
            "Those present must be more than this share of the members for the vote to be "
            "valid: 50 = half plus one, 66,66 = two thirds; 0 = anyone present is enough."
        ),
    )
    quorum_seconda = PercentualeField(
        label=_("Quorum at second call (%)"),
        help_text=_(
            "The same, when the body meets at second call (usually lower); 0 = anyone present "
            "is enough."
        ),
    )

    class Meta:
        model = RegolaVoto
        fields = ["nome", "peso", "maggioranza", "soglia", "quorum_prima", "quorum_seconda"]
        widgets = {"peso": forms.RadioSelect, "maggioranza": forms.RadioSelect}
        help_texts = {
            "nome": _("As the body's rules call it, e.g. “Assemblea dei Sindaci – art. 7”."),
            "peso": _(
                "Weighted by population: each mayor carries the residents of their comune "
                "(the latest figure). Double majority: heads and population must both reach "
                "the quorum and the majority."
            ),
        }

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.ambito = ambito
        # Radio buttons: no blank choice; a new rule starts from the most common one.
        self.fields["peso"].choices = RegolaVoto.Peso.choices
        self.fields["maggioranza"].choices = RegolaVoto.Maggioranza.choices
        if self.instance.pk is None:
            self.initial.setdefault("peso", RegolaVoto.Peso.TESTA)
            self.initial.setdefault("maggioranza", RegolaVoto.Maggioranza.PRESENTI)

    def clean(self):
        cleaned = super().clean()
        prima, seconda = cleaned.get("quorum_prima"), cleaned.get("quorum_seconda")
        if prima is not None and seconda is not None and seconda > prima:
            self.add_error(
                "quorum_seconda",
                _("The quorum at second call cannot be higher than at first call."),
            )
        return cleaned
