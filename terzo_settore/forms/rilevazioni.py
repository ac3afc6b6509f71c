"""Forms of the surveys (questions and answers) and of the commission's score sheet."""

from decimal import Decimal

import django_filters
from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ambiti.models import AreaUtenza
from pdz import forms as pdz_forms
from terzo_settore.models import Quesito, Risposta
from terzo_settore.services import risposte_date, scelte_usate

SCELTE = (Quesito.Tipo.SCELTA_SINGOLA, Quesito.Tipo.SCELTA_MULTIPLA)


def numero_italiano(value):
    """A Decimal as an Italian reader writes it: decimal comma, no needless zeros."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


class NumeroField(pdz_forms.NumeroField):
    """An answer or a score typed the Italian way ("1.234,5", "3,5") or with a decimal point
    ("3.5"), up to four decimals; shown back without needless zeros and without grouping."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float):
            return numero_italiano(value)
        return value


# --- questions ------------------------------------------------------------------------------


class QuesitoForm(forms.ModelForm):
    class Meta:
        model = Quesito
        fields = ["testo", "aiuto", "tipo", "opzioni", "area", "obbligatorio"]
        widgets = {
            "testo": forms.Textarea(attrs={"rows": 2}),
            "aiuto": forms.TextInput(),
            "tipo": forms.RadioSelect,
            "opzioni": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "aiuto": _("Optional: a short explanation shown under the question."),
            "opzioni": _(
                "Only for single and multiple choice questions: one option per line, at least two."
            ),
            "area": _("Optional: the target group the question is about."),
            "obbligatorio": _("An application cannot be submitted without an answer to it."),
        }

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        aree = AreaUtenza.objects.per_ambito(ambito)
        if self.instance.area_id:
            aree = aree | AreaUtenza.objects.filter(pk=self.instance.area_id)
        self.fields["area"].queryset = aree.order_by("ordine", "nome")
        self.fields["area"].empty_label = _("All target groups")
        self.fields["tipo"].choices = Quesito.Tipo.choices  # radio buttons: no empty choice
        self.initial["tipo"] = self.initial.get("tipo") or Quesito.Tipo.TESTO
        self.fields["testo"].max_length = Quesito._meta.get_field("testo").max_length

    def clean_opzioni(self):
        scelte = [line.strip() for line in self.cleaned_data["opzioni"].splitlines()]
        scelte = [s for s in scelte if s]
        if self.cleaned_data.get("tipo") not in SCELTE:
            return ""
        if len(scelte) < 2:
            raise forms.ValidationError(_("Write at least two options, one per line."))
        visti = set()
        for scelta in scelte:
            if scelta.casefold() in visti:
                raise forms.ValidationError(
                    _("The option “%(option)s” is written twice.") % {"option": scelta}
                )
            visti.add(scelta.casefold())
            if len(scelta) > 200:
                raise forms.ValidationError(_("An option can be at most 200 characters long."))
        if self.instance.pk and self.instance.tipo in SCELTE:
            tolte = scelte_usate(self.instance) - set(scelte)
            if tolte:
                raise forms.ValidationError(
                    _("These options have already been chosen and cannot be removed: %(options)s.")
                    % {"options": ", ".join(sorted(tolte))}
                )
        return "\n".join(scelte)

    def clean_tipo(self):
        tipo = self.cleaned_data["tipo"]
        if (
            self.instance.pk
            and tipo != self.instance.tipo
            and risposte_date(self.instance).exists()
        ):
            raise forms.ValidationError(
                _("This question has already been answered: its type cannot change.")
            )
        return tipo


class QuesitoFilter(django_filters.FilterSet):
    """The summary of a survey, question by question: those about one target group."""

    area = django_filters.ModelChoiceFilter(
        label=_("Target group"),
        queryset=AreaUtenza.objects.none(),
        empty_label=_("All the questions"),
        null_label=_("Questions about no particular target group"),
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # only the target groups the survey asks about
        self.filters["area"].queryset = AreaUtenza.objects.filter(
            pk__in=self.queryset.values("area")
        )


# --- answers --------------------------------------------------------------------------------


def _vuoto(valore):
    return valore is None or valore == "" or valore == []


class RisposteForm(forms.Form):
    """One field per survey question, prefilled with the application's answers.

    An answer to a required question is asked only when the application is submitted: the
    caller sets ``form.per_invio = True`` before validating; a draft may leave it empty.
    """

    # The browser must not stop a draft from being saved: required answers are checked here.
    use_required_attribute = False

    def __init__(self, quesiti, domanda, data=None, **kwargs):
        super().__init__(data, **kwargs)
        if hasattr(quesiti, "select_related"):
            quesiti = quesiti.select_related("area")  # its name goes in the help text
        self.quesiti = list(quesiti)
        self.domanda = domanda
        self._per_invio = False
        valori = {}
        if domanda.pk:
            valori = {r.quesito_id: r.valore for r in domanda.risposte.all()}
        for quesito in self.quesiti:
            field = self._field(quesito)
            valore = valori.get(quesito.pk)
            if not _vuoto(valore):
                field.initial = (
                    Decimal(str(valore)) if quesito.tipo == Quesito.Tipo.NUMERO else valore
                )
            self.fields[self.nome(quesito)] = field

    @staticmethod
    def nome(quesito):
        return f"quesito_{quesito.pk}"

    @property
    def per_invio(self):
        return self._per_invio

    @per_invio.setter
    def per_invio(self, value):
        self._per_invio = bool(value)
        self._errors = None  # validate again with the new rule

    def _field(self, quesito):
        help_text = quesito.aiuto
        if quesito.area_id:
            area = _("Target group: %(area)s.") % {"area": quesito.area}
            help_text = f"{help_text} {area}".strip()
        common = {"label": quesito.testo, "help_text": help_text, "required": quesito.obbligatorio}
        scelte = [(s, s) for s in quesito.scelte]
        if quesito.tipo == Quesito.Tipo.NUMERO:
            common["help_text"] = " ".join(
                filter(None, [help_text, str(_("A number; decimals after a comma, e.g. 3,5."))])
            )
            return NumeroField(**common)
        if quesito.tipo == Quesito.Tipo.SCELTA_SINGOLA:
            return forms.ChoiceField(choices=scelte, widget=forms.RadioSelect, **common)
        if quesito.tipo == Quesito.Tipo.SCELTA_MULTIPLA:
            return forms.MultipleChoiceField(
                choices=scelte, widget=forms.CheckboxSelectMultiple, **common
            )
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common)

    def full_clean(self):
        # A field is required while validating only for a submission; for the page it keeps
        # its asterisk either way.
        for quesito in self.quesiti:
            self.fields[self.nome(quesito)].required = quesito.obbligatorio and self.per_invio
        try:
            super().full_clean()
        finally:
            for quesito in self.quesiti:
                self.fields[self.nome(quesito)].required = quesito.obbligatorio

    def valore(self, quesito):
        """The cleaned answer as stored in ``Risposta.valore``; None when empty."""
        valore = self.cleaned_data.get(self.nome(quesito))
        if _vuoto(valore):
            return None
        if isinstance(valore, Decimal):
            # JSON has no decimals: an integral number stays an int, the rest a float whose
            # shortest form is what was typed (at most 15 significant digits).
            return int(valore) if valore == valore.to_integral_value() else float(valore)
        return valore

    def save(self):
        """Write the answers (insert or update, one statement); an answer never given is not
        stored, one cleared keeps its row with no value."""
        esistenti = dict(
            Risposta.objects.filter(domanda=self.domanda).values_list("quesito_id", "valore")
        )
        righe = []
        for quesito in self.quesiti:
            valore = self.valore(quesito)
            if quesito.pk in esistenti:
                if esistenti[quesito.pk] != valore:
                    righe.append(Risposta(domanda=self.domanda, quesito=quesito, valore=valore))
            elif valore is not None:
                righe.append(Risposta(domanda=self.domanda, quesito=quesito, valore=valore))
        with transaction.atomic():
            Risposta.objects.bulk_create(
                righe,
                update_conflicts=True,
                unique_fields=["domanda", "quesito"],
                update_fields=["valore"],
            )
        return righe


# --- the commission's score sheet -------------------------------------------------------------


def _tra_zero_e(massimo):
    def validate(value):
        if not 0 <= value <= massimo:
            raise forms.ValidationError(
                _("The score must be between 0 and %(max)s."),
                code="range",
                params={"max": numero_italiano(massimo)},
            )

    return validate


class PunteggiForm(forms.Form):
    """A score (0 to the criterion's maximum) and an optional note for every criterion."""

    def __init__(self, criteri, punteggi=None, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.criteri = list(criteri)
        punteggi = punteggi or {}
        for criterio in self.criteri:
            esistente = punteggi.get(criterio.pk)
            massimo = numero_italiano(criterio.punteggio_massimo)
            self.fields[f"punti_{criterio.pk}"] = NumeroField(
                label=_("Score (0 to %(max)s)") % {"max": massimo},
                max_digits=6,
                decimal_places=2,
                validators=[_tra_zero_e(criterio.punteggio_massimo)],
                initial=esistente.punti if esistente else None,
            )
            self.fields[f"nota_{criterio.pk}"] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=esistente.nota if esistente else "",
            )

    def righe(self):
        """(criterio, score field, note field) for the template, in the criteria's order."""
        return [(c, self[f"punti_{c.pk}"], self[f"nota_{c.pk}"]) for c in self.criteri]

    def punti(self):
        return {c: self.cleaned_data[f"punti_{c.pk}"] for c in self.criteri}

    def note(self):
        return {c: self.cleaned_data[f"nota_{c.pk}"].strip() for c in self.criteri}
