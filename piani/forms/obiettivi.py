"""Forms of the schede obiettivo: objectives, their yearly actions, their indicators and the
indicators' yearly measurements. Every choice is limited to the plan's ambito and years."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.models import AreaUtenza, Ente
from pdz.forms import NumeroField
from piani.models import Azione, Indicatore, Leps, Obiettivo, Piano
from tavoli.models import AreaPolicy, Tavolo
from terzo_settore.models import Avviso


def _con_attuali(queryset, instance, campo):
    """``queryset`` plus the rows ``instance`` already has in ``campo`` (an inactive area
    stays chosen until someone unticks it)."""
    if instance.pk is None:
        return queryset
    attuali = getattr(instance, campo)
    if hasattr(attuali, "all"):
        pks = list(attuali.values_list("pk", flat=True))
    else:
        pks = [attuali.pk] if attuali is not None else []
    if not pks:
        return queryset
    return queryset.model.objects.filter(Q(pk__in=queryset.values("pk")) | Q(pk__in=pks))


def anno_field(label, anni, **kwargs):
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[("", "---------"), *[(a, str(a)) for a in anni]],
        error_messages={
            "invalid_choice": _("Choose a year from %(da)s to %(a)s.")
            % {"da": anni[0], "a": anni[-1]}
        },
        **kwargs,
    )


class ObiettivoForm(forms.ModelForm):
    """A scheda obiettivo of ``piano``."""

    class Meta:
        model = Obiettivo
        fields = [
            "codice",
            "titolo",
            "area_policy",
            "aree_utenza",
            "bisogno",
            "risultati_attesi",
            "leps",
            "responsabile",
            "enti",
            "tavoli",
            "anno_da",
            "anno_a",
            "ordine",
        ]
        widgets = {
            "bisogno": forms.Textarea(attrs={"rows": 4}),
            "risultati_attesi": forms.Textarea(attrs={"rows": 4}),
            "aree_utenza": forms.CheckboxSelectMultiple,
            "leps": forms.CheckboxSelectMultiple,
            "enti": forms.CheckboxSelectMultiple,
            "tavoli": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "codice": _("Short and unique in the plan, e.g. OB1."),
            "responsabile": _("The office or person who answers for the objective."),
            "enti": _("The parties of the ambito that work on the objective."),
            "tavoli": _("The tables of the ambito that discuss it."),
            "ordine": _(
                "Objectives are listed by this number, then by code; blank puts a new one last."
            ),
        }

    def __init__(self, *args, piano: Piano, **kwargs):
        super().__init__(*args, **kwargs)
        self.piano = piano
        self.instance.piano = piano
        ambito = piano.ambito
        fields = self.fields
        fields["anno_da"] = anno_field(_("From year"), piano.anni)
        fields["anno_a"] = anno_field(_("To year"), piano.anni)
        if self.instance.pk is None:
            self.initial.setdefault("anno_da", piano.anno_inizio)
            self.initial.setdefault("anno_a", piano.anno_fine)
            self.initial["ordine"] = None  # blank: after the last objective
        istanza = self.instance
        fields["area_policy"].queryset = _con_attuali(
            AreaPolicy.objects.per_ambito(ambito), istanza, "area_policy"
        ).order_by("ordine", "nome")
        fields["aree_utenza"].queryset = _con_attuali(
            AreaUtenza.objects.per_ambito(ambito), istanza, "aree_utenza"
        ).order_by("ordine", "nome")
        fields["leps"].queryset = _con_attuali(
            Leps.objects.per_ambito(ambito), istanza, "leps"
        ).order_by("ordine", "nome")
        fields["enti"].queryset = _con_attuali(
            Ente.objects.of_ambito(ambito).filter(attivo=True), istanza, "enti"
        ).order_by("denominazione")
        fields["tavoli"].queryset = _con_attuali(
            Tavolo.objects.of_ambiti([ambito]), istanza, "tavoli"
        ).order_by("nome")
        fields["ordine"].required = False

    def clean_ordine(self):
        ordine = self.cleaned_data.get("ordine")
        if ordine is None:
            if self.instance.pk is not None:
                return self.instance.ordine
            ultimo = self.piano.obiettivi.order_by("-ordine").values_list("ordine", flat=True)
            return (ultimo.first() or 0) + 1
        return ordine

    def clean_codice(self):
        codice = self.cleaned_data["codice"].strip()
        doppioni = self.piano.obiettivi.filter(
            rimosso_at__isnull=True, codice__iexact=codice
        ).exclude(pk=self.instance.pk)
        if doppioni.exists():
            raise ValidationError(_("Another objective of the plan has this code."))
        return codice

    def clean(self):
        cleaned = super().clean()
        da, a = cleaned.get("anno_da"), cleaned.get("anno_a")
        if da and a and da > a:
            self.add_error("anno_a", _("The last year cannot come before the first."))
        elif da and a and self.instance.pk is not None:
            anni = range(da, a + 1)
            fuori = sorted(
                {
                    *self.instance.azioni.filter(rimosso_at__isnull=True)
                    .exclude(anno__in=anni)
                    .values_list("anno", flat=True),
                    *self.instance.voci_budget.filter(rimosso_at__isnull=True)
                    .exclude(anno__in=anni)
                    .values_list("anno", flat=True),
                }
            )
            if fuori:
                self.add_error(
                    "anno_da" if fuori[0] < da else "anno_a",
                    _(
                        "The objective has actions or budget lines in %(anni)s: move or "
                        "remove them first."
                    )
                    % {"anni": ", ".join(str(x) for x in fuori)},
                )
        return cleaned


class AzioneForm(forms.ModelForm):
    """An action of ``obiettivo`` in one of its years, with its table and notice."""

    class Meta:
        model = Azione
        fields = ["anno", "titolo", "descrizione", "responsabile", "tavolo", "avviso"]
        widgets = {"descrizione": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "tavolo": _("The table of the ambito that follows the action."),
            "avviso": _("The notice of the ambito that carries it out (co-design, a call)."),
        }

    def __init__(self, *args, obiettivo, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.obiettivo = obiettivo
        ambito = obiettivo.piano.ambito
        fields = self.fields
        fields["anno"] = anno_field(_("Year"), obiettivo.anni)
        if self.instance.pk is None and len(obiettivo.anni) == 1:
            self.initial.setdefault("anno", obiettivo.anno_da)
        fields["tavolo"].queryset = _con_attuali(
            Tavolo.objects.of_ambiti([ambito]), self.instance, "tavolo"
        ).order_by("nome")
        fields["avviso"].queryset = _con_attuali(
            Avviso.objects.filter(ambito=ambito).exclude(stato=Avviso.Stato.ANNULLATO),
            self.instance,
            "avviso",
        ).order_by("-apertura", "titolo")

    def clean(self):
        cleaned = super().clean()
        anno = cleaned.get("anno")
        if anno and self.instance.pk is not None:
            altri = (
                self.instance.voci_budget.filter(rimosso_at__isnull=True)
                .exclude(anno=anno)
                .values_list("anno", flat=True)
                .distinct()
            )
            if altri:
                self.add_error(
                    "anno",
                    _("Budget lines of %(anni)s are tied to the action: change them first.")
                    % {"anni": ", ".join(str(a) for a in sorted(altri))},
                )
        return cleaned


class IndicatoreForm(forms.ModelForm):
    """How progress on the objective is measured."""

    baseline = NumeroField(
        label=_("Baseline"), help_text=_("The value at the start, e.g. 1.234,5.")
    )
    target = NumeroField(label=_("Target"), help_text=_("The value to reach by the end."))

    class Meta:
        model = Indicatore
        fields = ["nome", "tipo", "unita", "baseline", "target"]
        widgets = {"tipo": forms.RadioSelect}
        help_texts = {
            "tipo": _(
                "Process: what is done (meetings held); output: what is delivered (hours of "
                "care); outcome: what changes for people (fewer admissions)."
            )
        }

    def __init__(self, *args, obiettivo, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.obiettivo = obiettivo
        self.fields["tipo"].choices = Indicatore.Tipo.choices


class MisurazioniForm(forms.Form):
    """One value and one note for each year of the plan, saved together."""

    def __init__(self, *args, indicatore, anni, **kwargs):
        super().__init__(*args, **kwargs)
        self.anni = anni
        attuali = {m.anno: m for m in indicatore.misurazioni.filter(rimossa_at__isnull=True)}
        for anno in anni:
            misura = attuali.get(anno)
            self.fields[f"valore_{anno}"] = NumeroField(
                label=_("Value %(anno)s") % {"anno": anno},
                required=False,
                initial=misura.valore if misura else None,
            )
            self.fields[f"note_{anno}"] = forms.CharField(
                label=_("Notes %(anno)s") % {"anno": anno},
                required=False,
                max_length=300,
                initial=misura.note if misura else "",
            )

    def righe(self):
        """[(anno, value field, note field)] for the template."""
        return [(anno, self[f"valore_{anno}"], self[f"note_{anno}"]) for anno in self.anni]

    def clean(self):
        cleaned = super().clean()
        for anno in self.anni:
            if cleaned.get(f"note_{anno}") and cleaned.get(f"valore_{anno}") is None:
                self.add_error(f"valore_{anno}", _("A note needs a value."))
        return cleaned

    def valori(self):
        """{anno: (value or None, note)} of the valid form."""
        return {
            anno: (self.cleaned_data[f"valore_{anno}"], self.cleaned_data[f"note_{anno}"].strip())
            for anno in self.anni
        }
