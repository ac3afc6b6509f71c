"""Forms of the plan and its document: a new plan, its title and years, a phase of the cycle,
a section's text, an attachment, the two versions to compare."""

import re
from datetime import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from pdz.validators import validate_pdf
from piani.models import Fase, Piano, VersionePiano
from tavoli.models import Incontro, Tavolo
from terzo_settore.models import Avviso

PRIMO_ANNO = 2000
ANNI_AVANTI = 5  # a plan is drafted at most a few years ahead
TITOLO_STANDARD = re.compile(r"^\s*Piano di Zona \d{4}\s*-\s*\d{4}\s*$", re.IGNORECASE)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def titolo_standard(anno_inizio):
    return f"Piano di Zona {anno_inizio}-{anno_inizio + Piano.DURATA - 1}"


def anno_predefinito(ambito=None):
    """The first year a new plan most likely has: right after the ambito's last plan."""
    ultimo = ambito.piani.order_by("-anno_inizio").first() if ambito else None
    if ultimo:
        return ultimo.anno_fine + 1
    return timezone.localdate().year


def _anno_field():
    ultimo = timezone.localdate().year + ANNI_AVANTI
    return forms.IntegerField(
        label=_("First year"),
        min_value=PRIMO_ANNO,
        max_value=ultimo,
        help_text=_("The plan covers this year and the two after it."),
        error_messages={
            "min_value": _("Choose a year from %(anno)s onwards.") % {"anno": PRIMO_ANNO},
            "max_value": _(
                "A plan is drafted at most %(n)s years ahead: choose %(anno)s or earlier."
            )
            % {"n": ANNI_AVANTI, "anno": ultimo},
        },
        widget=forms.NumberInput(attrs={"min": PRIMO_ANNO, "max": ultimo, "step": 1}),
    )


def _controlla_triennio(form, ambito, anno_inizio, escludi=None):
    """Error next to the year when the ambito has a plan for overlapping years."""
    anno_fine = anno_inizio + Piano.DURATA - 1
    altri = ambito.piani.filter(
        anno_inizio__lte=anno_fine, anno_inizio__gte=anno_inizio - Piano.DURATA + 1
    )
    if escludi is not None:
        altri = altri.exclude(pk=escludi.pk)
    altro = altri.order_by("anno_inizio").first()
    if altro is None:
        return
    if altro.anno_inizio == anno_inizio:
        messaggio = _("%(ambito)s already has a plan for %(anni)s: “%(titolo)s”.")
    else:
        messaggio = _(
            "%(ambito)s already has a plan for %(anni)s (“%(titolo)s”), which overlaps these years."
        )
    form.add_error(
        "anno_inizio",
        messaggio % {"ambito": ambito.nome, "anni": altro.triennio, "titolo": altro.titolo},
    )


def _titolo_per_anno(titolo, anno_inizio):
    """The standard title follows the chosen years; a title of one's own stays as it is."""
    titolo = (titolo or "").strip()
    if not titolo or TITOLO_STANDARD.match(titolo):
        return titolo_standard(anno_inizio)
    return titolo


class PianoNuovoForm(forms.Form):
    ambito = forms.ModelChoiceField(
        label=_("Ambito"), queryset=None, empty_label=None, error_messages={"required": ""}
    )
    anno_inizio = None  # set in __init__: the range depends on today
    titolo = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left as “Piano di Zona YYYY-YYYY”, it follows the first year you choose."),
    )

    field_order = ["ambito", "anno_inizio", "titolo"]

    def __init__(self, *args, ambiti, ambito=None, **kwargs):
        anno = anno_predefinito(ambito)
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("anno_inizio", anno)
        kwargs["initial"].setdefault("titolo", titolo_standard(anno))
        if ambito is not None:
            kwargs["initial"].setdefault("ambito", ambito.pk)
        super().__init__(*args, **kwargs)
        self.fields["anno_inizio"] = _anno_field()
        self.order_fields(self.field_order)
        self.fields["ambito"].queryset = ambiti
        self.fields["ambito"].error_messages["required"] = _("Choose the ambito.")

    def clean(self):
        data = super().clean()
        ambito, anno = data.get("ambito"), data.get("anno_inizio")
        if anno is not None:
            data["titolo"] = _titolo_per_anno(data.get("titolo"), anno)
            if ambito is not None:
                _controlla_triennio(self, ambito, anno)
        return data


class PianoForm(forms.Form):
    """Title and years of an existing plan; the years are fixed once a version exists."""

    titolo = forms.CharField(label=_("Title"), max_length=200)

    def __init__(self, *args, piano, **kwargs):
        kwargs.setdefault("initial", {"titolo": piano.titolo, "anno_inizio": piano.anno_inizio})
        super().__init__(*args, **kwargs)
        self.piano = piano
        self.fields["anno_inizio"] = _anno_field()
        self.anni_bloccati = piano.versioni.exists()
        if self.anni_bloccati:
            campo = self.fields["anno_inizio"]
            campo.disabled = True
            campo.help_text = _("A version of the plan was frozen: its years can no longer change.")
            # A plan older than the allowed range keeps its year.
            campo.min_value = campo.max_value = None
            campo.validators = []

    def clean(self):
        data = super().clean()
        anno = data.get("anno_inizio")
        if anno is not None and not self.anni_bloccati and anno != self.piano.anno_inizio:
            _controlla_triennio(self, self.piano.ambito, anno, escludi=self.piano)
            if data.get("titolo"):
                data["titolo"] = _titolo_per_anno(data["titolo"], anno)
        return data


def _etichetta_incontro(incontro):
    quando = date_format(timezone.localtime(incontro.inizio), "d/m/Y")
    return f"{quando} — {incontro.tavolo.nome}: {incontro.titolo}"


class FaseForm(forms.ModelForm):
    """A phase of the cycle; tables, meetings and notices only of the plan's ambito."""

    class Meta:
        model = Fase
        fields = [
            "inizio",
            "fine",
            "responsabile",
            "completata_il",
            "note",
            "tavoli",
            "incontri",
            "avvisi",
        ]
        widgets = {
            "inizio": DateInput,
            "fine": DateInput,
            "completata_il": DateInput,
            "note": forms.Textarea(attrs={"rows": 4}),
            "tavoli": forms.CheckboxSelectMultiple,
            "incontri": forms.CheckboxSelectMultiple,
            "avvisi": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "responsabile": _("E.g. Ufficio di Piano, Assemblea dei Sindaci, the thematic tables."),
            "completata_il": _("Leave empty while the phase is under way."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ambito = self.instance.piano.ambito
        tavoli = Tavolo.objects.filter(Q(ambito=ambito) | Q(ambiti_coinvolti=ambito)).distinct()
        gia = self.instance.pk and self.instance
        self.fields["tavoli"].queryset = tavoli.order_by("nome")
        self.fields["incontri"].queryset = (
            Incontro.objects.filter(tavolo__in=tavoli.values("pk"))
            .exclude(Q(stato=Incontro.Stato.ANNULLATO) & ~Q(pk__in=_pk(gia, "incontri")))
            .select_related("tavolo")
            .order_by("-inizio")
        )
        self.fields["incontri"].label_from_instance = _etichetta_incontro
        self.fields["avvisi"].queryset = (
            Avviso.objects.filter(ambito=ambito)
            .exclude(Q(stato=Avviso.Stato.BOZZA) & ~Q(pk__in=_pk(gia, "avvisi")))
            .order_by("-apertura")
        )

    def clean(self):
        data = super().clean()
        inizio, fine = data.get("inizio"), data.get("fine")
        if inizio and fine and fine < inizio:
            self.add_error("fine", _("The phase cannot end before it starts."))
        return data

    def dati(self):
        """The phase's own fields, for ``services.aggiorna_fase``."""
        return {
            nome: self.cleaned_data[nome]
            for nome in ("inizio", "fine", "responsabile", "completata_il", "note")
        }


def _pk(fase, nome):
    """The primary keys already linked to ``fase`` (they stay choosable)."""
    if not fase:
        return []
    return list(getattr(fase, nome).values_list("pk", flat=True))


class SezioneForm(forms.Form):
    testo = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20, "class": "font-monospace"}),
    )
    letta_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, sezione, **kwargs):
        kwargs.setdefault(
            "initial", {"testo": sezione.testo, "letta_at": sezione.updated_at.isoformat()}
        )
        super().__init__(*args, **kwargs)
        self.fields["testo"].label = f"{sezione.lettera}) {sezione.titolo}"

    def clean_letta_at(self):
        valore = self.cleaned_data["letta_at"]
        try:
            return datetime.fromisoformat(valore) if valore else None
        except ValueError:
            return None


class AllegatoForm(forms.Form):
    titolo = forms.CharField(label=_("Title of the attachment"), max_length=200)
    file = forms.FileField(
        label=_("File (PDF, at most 10 MB)"),
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


def _etichetta_versione(versione):
    quando = date_format(timezone.localtime(versione.created_at), "d/m/Y H:i")
    return _("Version %(numero)s — %(motivo)s, %(quando)s") % {
        "numero": versione.numero,
        "motivo": versione.get_motivo_display(),
        "quando": quando,
    }


class ConfrontoForm(forms.Form):
    da = forms.ModelChoiceField(label=_("Earlier version"), queryset=None, empty_label=None)
    a = forms.ModelChoiceField(label=_("Later version"), queryset=None, empty_label=None)

    def __init__(self, *args, piano, **kwargs):
        super().__init__(*args, **kwargs)
        versioni = VersionePiano.objects.filter(piano=piano).order_by("-numero")
        for nome in ("da", "a"):
            self.fields[nome].queryset = versioni
            self.fields[nome].label_from_instance = _etichetta_versione
            self.fields[nome].error_messages["invalid_choice"] = _("Choose a version of this plan.")

    def clean(self):
        data = super().clean()
        da, a = data.get("da"), data.get("a")
        if da and a and da == a:
            raise forms.ValidationError(_("Choose two different versions."))
        return data
