"""Forms of the budget: its lines, the ambito's funding sources and the municipal quota rate.

Amounts and measures are typed the Italian way (``1.234,56``) and shown back the same way
whatever the page's language, so that a form saved again reads what it showed.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from piani.budget import numero_italiano
from piani.models import Azione, FonteFinanziamento, Piano, VoceBudget

MIGLIAIA_PUNTO = re.compile(r"\d{1,3}(\.\d{3})+")
MIGLIAIA_VIRGOLA = re.compile(r"\d{1,3}(,\d{3}){2,}")
NUMERO = re.compile(r"\d+(\.\d+)?|\.\d+")


def leggi_numero(testo):
    """A Decimal from a number as people type it: ``1.234,56``, ``1234,5``, ``1234.5``,
    ``€ 1.200``, ``1,234.56``; None when blank. Raises ValueError when it is no number.

    A lone dot followed by three digits groups thousands (``1.234`` is 1234), as in Italian."""
    testo = testo.replace("€", "").replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not testo:
        return None
    segno = ""
    if testo[0] in "+-":
        segno, testo = testo[0].replace("+", ""), testo[1:]
    if "," in testo and "." in testo:
        if testo.rfind(",") > testo.rfind("."):
            testo = testo.replace(".", "").replace(",", ".")
        else:
            testo = testo.replace(",", "")
    elif "," in testo:
        testo = testo.replace(",", "" if MIGLIAIA_VIRGOLA.fullmatch(testo) else ".")
    elif MIGLIAIA_PUNTO.fullmatch(testo):
        testo = testo.replace(".", "")
    if not NUMERO.fullmatch(testo):
        raise ValueError(testo)
    return Decimal(segno + testo)


class NumeroField(forms.DecimalField):
    """A number typed the Italian way (``1.234,5``) or with a decimal point (``1234.5``)."""

    widget = forms.TextInput
    decimali_fissi = False
    default_error_messages = {"invalid": _("Write a number such as 1.234,5.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return leggi_numero(value.strip())
            except (ValueError, InvalidOperation):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return numero_italiano(value, 2 if self.decimali_fissi else None)
        return value


class ImportoField(NumeroField):
    """An amount in euros: never negative, shown with its cents (``1.234,50``)."""

    decimali_fissi = True
    default_error_messages = {"invalid": _("Write an amount such as 1.234,56.")}

    def validate(self, value):
        super().validate(value)
        if value is not None and value < 0:
            raise ValidationError(_("An amount cannot be negative."), code="min_value")


def _anni(piano):
    return [(anno, str(anno)) for anno in piano.anni]


def fonti_per(ambito, *, attuale=None):
    """The funding sources a budget line of ``ambito`` may use: the shared list first, then
    the ambito's own (active ones, plus the line's current source)."""
    condizione = Q(ambito__isnull=True) | Q(ambito=ambito)
    attive = condizione & Q(attiva=True)
    if attuale is not None:
        attive |= Q(pk=attuale)
    return FonteFinanziamento.objects.filter(attive).order_by(
        F("ambito").asc(nulls_first=True), "ordine", "nome"
    )


class VoceForm(forms.ModelForm):
    """A budget line of ``piano``: its choices are the plan's years, objectives and actions
    and the funding sources of its ambito."""

    anno = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        error_messages={"invalid_choice": _("Choose a year of the plan.")},
    )
    previsto = ImportoField(label=_("Planned (€)"))
    impegnato = ImportoField(
        label=_("Committed (€)"),
        required=False,
        help_text=_("May exceed the planned amount; leave it blank for zero."),
    )
    speso = ImportoField(label=_("Spent (€)"), required=False)

    class Meta:
        model = VoceBudget
        fields = [
            "anno",
            "fonte",
            "obiettivo",
            "azione",
            "tipo_spesa",
            "descrizione",
            "previsto",
            "impegnato",
            "speso",
        ]
        help_texts = {
            "obiettivo": _("Leave it blank for spending that serves the whole plan."),
            "azione": _("An action of the chosen objective, in the same year."),
        }

    def __init__(self, *args, piano: Piano, **kwargs):
        super().__init__(*args, **kwargs)
        self.piano = piano
        self.instance.piano = piano
        fields = self.fields
        fields["anno"].choices = [("", "---------"), *_anni(piano)]
        fields["fonte"].queryset = fonti_per(piano.ambito, attuale=self.instance.fonte_id)
        obiettivi = piano.obiettivi.filter(rimosso_at__isnull=True).order_by("ordine", "codice")
        fields["obiettivo"].queryset = obiettivi
        azioni = (
            Azione.objects.filter(obiettivo__in=obiettivi, rimosso_at__isnull=True)
            .select_related("obiettivo")
            .order_by("obiettivo__ordine", "obiettivo__codice", "anno", "ordine", "pk")
        )
        fields["azione"].queryset = azioni
        # Grouped by objective: the list of a whole plan reads better in groups.
        gruppi = {}
        for azione in azioni:
            gruppi.setdefault(str(azione.obiettivo), []).append(
                (azione.pk, f"{azione.anno} · {azione.titolo}")
            )
        fields["azione"].choices = [("", "---------"), *gruppi.items()]

    def clean_impegnato(self):
        return self.cleaned_data.get("impegnato") or Decimal("0.00")

    def clean_speso(self):
        return self.cleaned_data.get("speso") or Decimal("0.00")

    def clean(self):
        cleaned = super().clean()
        anno, obiettivo, azione = (cleaned.get(k) for k in ("anno", "obiettivo", "azione"))
        if obiettivo is not None and anno and anno not in obiettivo.anni:
            self.add_error(
                "anno",
                _("The objective %(codice)s runs from %(da)s to %(a)s.")
                % {"codice": obiettivo.codice, "da": obiettivo.anno_da, "a": obiettivo.anno_a},
            )
        if azione is not None:
            if obiettivo is None:
                self.add_error(
                    "obiettivo",
                    _("Choose the objective of the action: %(obiettivo)s.")
                    % {"obiettivo": azione.obiettivo},
                )
            elif azione.obiettivo_id != obiettivo.pk:
                self.add_error(
                    "azione",
                    _("The action belongs to another objective: %(obiettivo)s.")
                    % {"obiettivo": azione.obiettivo},
                )
            if anno and azione.anno != anno:
                self.add_error(
                    "azione",
                    _("The action is planned for %(anno_azione)s, not for %(anno)s.")
                    % {"anno_azione": azione.anno, "anno": anno},
                )
        return cleaned


class FonteForm(forms.ModelForm):
    """A funding source of the ambito's own (a regional fund, a foundation's grant)."""

    class Meta:
        model = FonteFinanziamento
        fields = ["nome", "codice", "tipo", "ordine", "attiva"]
        help_texts = {
            "codice": _("Short, lowercase, with dashes: e.g. “bando-fondazione-cariplo”."),
            "ordine": _("The ambito's sources are listed after the shared ones, by this number."),
            "attiva": _(
                "An inactive source is no longer offered for new budget lines; "
                "lines that use it keep it."
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
        return " ".join(self.cleaned_data["nome"].split())

    def clean_codice(self):
        codice = self.cleaned_data["codice"].lower()
        doppioni = FonteFinanziamento.objects.filter(
            Q(ambito__isnull=True) | Q(ambito=self.ambito), codice=codice
        ).exclude(pk=self.instance.pk)
        if doppioni.exists():
            raise ValidationError(_("There is already a funding source with this code."))
        return codice


class QuotaForm(forms.ModelForm):
    """The comuni's quota per resident."""

    quota_pro_capite = ImportoField(
        label=_("Quota per resident (€)"),
        max_digits=8,
        help_text=_("E.g. 3,50: each comune pays this amount for each of its residents."),
    )

    class Meta:
        model = Piano
        fields = ["quota_pro_capite"]
