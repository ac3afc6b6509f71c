"""Forms of the budget: its lines, the ambito's funding sources and the municipal quota rate.
Amounts are ``pdz.forms.ImportoField``: typed and shown back the Italian way (``1.234,56``)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pdz.forms import ImportoField
from piani.models import Azione, FonteFinanziamento, Piano, VoceBudget


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
