"""Forms of the organisations: registration and details, asking to join, the comune search."""

import re

from django import forms
from django.db.models import Case, F, IntegerField, Value, When
from django.forms.utils import ErrorDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, AppartenenzaComune, AreaUtenza, Comune, Ente
from ambiti.validators import validate_codice_fiscale, validate_partita_iva
from terzo_settore.models import Organizzazione

RICERCA_COMUNE_MIN = 2
RICERCA_COMUNE_MAX = 50

# The legal forms that register in the RUNTS through the Registro imprese (section d).
FORME_REGISTRO_IMPRESE = {
    Organizzazione.FormaGiuridica.COOPERATIVA_A,
    Organizzazione.FormaGiuridica.COOPERATIVA_B,
    Organizzazione.FormaGiuridica.CONSORZIO,
    Organizzazione.FormaGiuridica.IMPRESA_SOCIALE,
}
# The section of the RUNTS a legal form belongs to, where the law fixes it.
SEZIONE_DELLA_FORMA = {
    Organizzazione.FormaGiuridica.ODV: Organizzazione.SezioneRunts.ODV,
    Organizzazione.FormaGiuridica.APS: Organizzazione.SezioneRunts.APS,
    Organizzazione.FormaGiuridica.COOPERATIVA_A: Organizzazione.SezioneRunts.IMPRESE_SOCIALI,
    Organizzazione.FormaGiuridica.COOPERATIVA_B: Organizzazione.SezioneRunts.IMPRESE_SOCIALI,
    Organizzazione.FormaGiuridica.CONSORZIO: Organizzazione.SezioneRunts.IMPRESE_SOCIALI,
    Organizzazione.FormaGiuridica.IMPRESA_SOCIALE: Organizzazione.SezioneRunts.IMPRESE_SOCIALI,
}

ENTE_FIELDS = ["denominazione", "codice_fiscale", "partita_iva", "indirizzo", "pec", "email"]
ENTE_FIELDS += ["telefono", "sede"]
ORGANIZZAZIONE_FIELDS = [
    "forma_giuridica",
    "iscrizione",
    "sezione_runts",
    "numero_repertorio",
    "rappresentante_legale",
    "sito_web",
    "descrizione",
]


def cerca_comuni(q, limit=RICERCA_COMUNE_MAX):
    """Active comuni of the national list whose name contains ``q``; those starting with it
    first. Nothing for fewer than RICERCA_COMUNE_MIN letters."""
    q = (q or "").strip()
    if len(q) < RICERCA_COMUNE_MIN:
        return Comune.objects.none()
    return (
        Comune.objects.attivi()
        .filter(nome__icontains=q)
        .annotate(
            inizia=Case(
                When(nome__istartswith=q, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("inizia", "nome", "provincia")[:limit]
    )


def normalizza_codice(value):
    """A tax code or VAT number as people type it ("IT 01234 567 890") → "01234567890"."""
    value = re.sub(r"[\s.\-]", "", value or "").upper()
    if value.startswith("IT") and value[2:].isdigit():
        value = value[2:]
    return value


class ComuneLabelMixin:
    def label_from_instance(self, comune):
        return f"{comune.nome} ({comune.provincia})"


class ComuneChoiceField(ComuneLabelMixin, forms.ModelChoiceField):
    pass


class ComuniChoiceField(ComuneLabelMixin, forms.ModelMultipleChoiceField):
    pass


class AreeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, area):
        if area.ambito_id:
            return f"{area.nome} ({area.ambito.nome})"
        return area.nome


class OrganizzazioneForm(forms.Form):
    """The details of an organisation: for its registration and, without the tax code, for
    its managing referenti to keep them up to date."""

    denominazione = forms.CharField(
        label=_("Name of the organisation"),
        max_length=300,
        help_text=_("As in the statute, e.g. “Associazione Il Ponte APS”."),
    )
    forma_giuridica = forms.ChoiceField(
        label=_("Legal form"),
        choices=[("", "---------"), *Organizzazione.FormaGiuridica.choices],
    )
    codice_fiscale = forms.CharField(
        label=_("Tax code (codice fiscale)"),
        max_length=20,
        help_text=_("The 11 digits of the organisation's tax code."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    partita_iva = forms.CharField(
        label=capfirst(_("VAT number (partita IVA)")),
        max_length=20,
        required=False,
        help_text=_("Only if the organisation has one; often the same as the tax code."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    iscrizione = forms.ChoiceField(
        label=_("Registration"),
        choices=Organizzazione.Iscrizione.choices,
        initial=Organizzazione.Iscrizione.RUNTS,
        widget=forms.RadioSelect,
        help_text=_(
            "Social cooperatives and social enterprises are registered in the RUNTS through "
            "the Registro imprese."
        ),
    )
    sezione_runts = forms.ChoiceField(
        label=_("RUNTS section"),
        choices=[("", "---------"), *Organizzazione.SezioneRunts.choices],
        required=False,
    )
    numero_repertorio = forms.CharField(
        label=_("RUNTS repertory number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    sede_q = forms.CharField(
        label=_("Find the municipality of the registered office"),
        required=False,
        max_length=120,
        help_text=_("Type at least two letters of its name and press “Find”."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    sede = ComuneChoiceField(
        label=_("Registered office (municipality)"),
        queryset=Comune.objects.none(),
        empty_label=_("— find the municipality above —"),
    )
    indirizzo = forms.CharField(
        label=_("Address of the registered office"),
        max_length=300,
        help_text=_("Street, number and postcode, e.g. “Via Roma 12, 26041”."),
    )
    ambiti = forms.ModelMultipleChoiceField(
        label=_("Ambiti where the organisation operates"),
        queryset=Ambito.objects.order_by("nome"),
        widget=forms.CheckboxSelectMultiple,
    )
    sedi_operative = ComuniChoiceField(
        label=_("Operating offices in the ambito"),
        queryset=Comune.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The municipalities of the ambito where the organisation has an office."),
    )
    pec = forms.EmailField(
        label=_("PEC (certified e-mail)"),
        required=False,
        help_text=_("Official communications about notices and applications are sent here."),
    )
    email = forms.EmailField(label=_("E-mail of the organisation"))
    telefono = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    sito_web = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    rappresentante_legale = forms.CharField(
        label=_("Legal representative"),
        max_length=200,
        help_text=_("First name and surname of the president or legal representative."),
    )
    aree = AreeChoiceField(
        label=_("Areas of activity"),
        queryset=AreaUtenza.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The target groups the organisation works with."),
    )
    descrizione = forms.CharField(
        label=_("What the organisation does"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("A few lines on its activities and services in the district."),
    )

    def __init__(self, *args, instance=None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", {}).update(self._initial_from(instance))
        else:
            una = list(Ambito.objects.values_list("pk", flat=True)[:2])
            if len(una) == 1:
                kwargs.setdefault("initial", {}).setdefault("ambiti", una)
        super().__init__(*args, **kwargs)
        self.esistente = None  # the Ente already registered with the typed codice fiscale
        if instance is not None:
            field = self.fields["codice_fiscale"]
            field.disabled = True
            field.help_text = _(
                "The tax code identifies the organisation and cannot be changed here: "
                "if it is wrong, write to the Ufficio di Piano."
            )
        self.fields["sede"].queryset = self._sede_queryset()
        self._set_sedi_operative()
        self.fields["aree"].queryset = (
            AreaUtenza.objects.filter(attiva=True)
            .select_related("ambito")
            .order_by(F("ambito__nome").asc(nulls_first=True), "ordine", "nome")
        )

    @staticmethod
    def _initial_from(organizzazione):
        ente = organizzazione.ente
        initial = {name: getattr(ente, name) for name in ENTE_FIELDS if name != "sede"}
        initial |= {name: getattr(organizzazione, name) for name in ORGANIZZAZIONE_FIELDS}
        initial["sede"] = ente.sede_id
        initial["ambiti"] = [a.pk for a in ente.ambiti.all()]
        initial["sedi_operative"] = [c.pk for c in organizzazione.sedi_operative.all()]
        initial["aree"] = [a.pk for a in organizzazione.aree.all()]
        return initial

    # --- the registered office: a search of the national list, then a choice ------------

    @property
    def ricerca_sede(self):
        value = self.data.get("sede_q") if self.is_bound else self.initial.get("sede_q")
        return (value or "").strip()

    def _sede_scelta(self):
        value = self.data.get("sede") if self.is_bound else self.initial.get("sede")
        try:
            return int(value)
        except (TypeError, ValueError):
            return None

    def _sede_queryset(self):
        # The select offers what the search found plus the municipality already chosen,
        # which is also all a posted value is checked against.
        trovati = [c.pk for c in cerca_comuni(self.ricerca_sede, RICERCA_COMUNE_MAX + 1)]
        self.sede_troppi = len(trovati) > RICERCA_COMUNE_MAX
        trovati = trovati[:RICERCA_COMUNE_MAX]
        self.sede_trovati = len(trovati)
        scelta = self._sede_scelta()
        if scelta is not None:
            trovati.append(scelta)
        return Comune.objects.attivi().filter(pk__in=trovati).order_by("nome", "provincia")

    def _set_sedi_operative(self):
        appartenenze = list(
            AppartenenzaComune.objects.in_vigore()
            .select_related("ambito", "comune")
            .order_by("ambito__nome", "comune__nome")
        )
        field = self.fields["sedi_operative"]
        field.queryset = Comune.objects.filter(pk__in=[a.comune_id for a in appartenenze])
        label = field.label_from_instance
        ambiti = {a.ambito for a in appartenenze}
        if len(ambiti) > 1:
            groups = {}
            for a in appartenenze:
                groups.setdefault(a.ambito.nome, []).append((a.comune_id, label(a.comune)))
            field.choices = list(groups.items())
        else:
            field.choices = [(a.comune_id, label(a.comune)) for a in appartenenze]
        self.comuni_per_ambito = {}
        for a in appartenenze:
            self.comuni_per_ambito.setdefault(a.ambito_id, set()).add(a.comune_id)

    def mostra_senza_giudicare(self):
        """Show what was typed without errors: the person only searched a municipality.
        A single match is chosen for them."""
        self._errors = ErrorDict()
        if self.sede_trovati == 1 and self._sede_scelta() is None:
            self.data = self.data.copy()
            self.data["sede"] = str(cerca_comuni(self.ricerca_sede)[0].pk)
            self.fields["sede"].queryset = self._sede_queryset()

    # --- validation --------------------------------------------------------------------

    def clean_denominazione(self):
        return " ".join(self.cleaned_data["denominazione"].split())

    def clean_codice_fiscale(self):
        if self.instance is not None:
            return self.instance.ente.codice_fiscale
        value = normalizza_codice(self.cleaned_data["codice_fiscale"])
        if not value.isdigit():
            raise forms.ValidationError(
                _("The tax code of an organisation has 11 digits, without letters."),
                code="formato",
            )
        validate_codice_fiscale(value)
        self.esistente = (
            Ente.objects.filter(codice_fiscale=value).select_related("organizzazione").first()
        )
        if self.esistente is not None:
            if hasattr(self.esistente, "organizzazione"):
                message = _(
                    "%(name)s is already registered with this tax code. If you act for it, "
                    "ask its referenti to let you join."
                )
            else:
                message = _(
                    "%(name)s is already known to the Ufficio di Piano with this tax code: "
                    "write to the Ufficio di Piano to act for it."
                )
            raise forms.ValidationError(
                message, code="duplicato", params={"name": self.esistente.denominazione}
            )
        return value

    def clean_partita_iva(self):
        value = normalizza_codice(self.cleaned_data["partita_iva"])
        if value:
            validate_partita_iva(value)
        return value

    def clean_numero_repertorio(self):
        value = re.sub(r"\s", "", self.cleaned_data["numero_repertorio"])
        if value and not value.isdigit():
            raise forms.ValidationError(
                _("The repertory number is made of digits only."), code="formato"
            )
        return value

    def clean_telefono(self):
        value = " ".join(self.cleaned_data["telefono"].split())
        if value and not re.fullmatch(r"\+?[0-9 ./()-]{6,}", value):
            raise forms.ValidationError(
                _("Enter a phone number, e.g. 0375 123456."), code="formato"
            )
        return value

    def clean(self):
        cleaned = super().clean()
        self._clean_iscrizione(cleaned)
        ambiti = cleaned.get("ambiti")
        if ambiti is not None:
            ammessi = set().union(*(self.comuni_per_ambito.get(a.pk, set()) for a in ambiti))
            fuori = [c for c in cleaned.get("sedi_operative", []) if c.pk not in ammessi]
            if fuori:
                self.add_error(
                    "sedi_operative",
                    _("%(comuni)s: not in the ambiti you chose.")
                    % {"comuni": ", ".join(c.nome for c in fuori)},
                )
            fuori = [
                a
                for a in cleaned.get("aree", [])
                if a.ambito_id is not None and a.ambito_id not in {x.pk for x in ambiti}
            ]
            if fuori:
                self.add_error(
                    "aree",
                    _("%(aree)s: only for the ambiti they belong to.")
                    % {"aree": ", ".join(a.nome for a in fuori)},
                )
        return cleaned

    def _clean_iscrizione(self, cleaned):
        iscrizione, forma = cleaned.get("iscrizione"), cleaned.get("forma_giuridica")
        sezione, numero = cleaned.get("sezione_runts"), cleaned.get("numero_repertorio")
        if iscrizione == Organizzazione.Iscrizione.RUNTS:
            if not sezione and "sezione_runts" not in self.errors:
                self.add_error("sezione_runts", _("Choose the section of the RUNTS."))
            if not numero and "numero_repertorio" not in self.errors:
                self.add_error(
                    "numero_repertorio", _("Enter the repertory number of the RUNTS entry.")
                )
            attesa = SEZIONE_DELLA_FORMA.get(forma)
            if sezione and attesa and sezione != attesa:
                self.add_error(
                    "sezione_runts",
                    _("A %(forma)s is registered in section %(sezione)s.")
                    % {
                        "forma": Organizzazione.FormaGiuridica(forma).label,
                        "sezione": Organizzazione.SezioneRunts(attesa).label,
                    },
                )
        else:
            # Nothing to keep from the RUNTS fields when the entry is elsewhere or pending.
            cleaned["sezione_runts"] = ""
            cleaned["numero_repertorio"] = ""
            if "numero_repertorio" in self.errors:
                del self.errors["numero_repertorio"]
        if (
            iscrizione == Organizzazione.Iscrizione.REGISTRO_IMPRESE
            and forma
            and forma not in FORME_REGISTRO_IMPRESE
        ):
            self.add_error(
                "iscrizione",
                _(
                    "Only social cooperatives, their consortia and social enterprises are "
                    "registered through the Registro imprese."
                ),
            )

    # --- what the services take ----------------------------------------------------------

    def service_kwargs(self):
        data = self.cleaned_data
        return {
            "ente_data": {name: data[name] for name in ENTE_FIELDS},
            "organizzazione_data": {name: data[name] for name in ORGANIZZAZIONE_FIELDS},
            "sedi": list(data["sedi_operative"]),
            "aree": list(data["aree"]),
            "ambiti": list(data["ambiti"]),
        }


class EntraForm(forms.Form):
    """Ask to join an organisation already registered, found by its tax code."""

    codice_fiscale = forms.CharField(
        label=_("Tax code of the organisation"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
        help_text=_("The 11 digits of its tax code."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.organizzazione = None

    def clean_codice_fiscale(self):
        value = normalizza_codice(self.cleaned_data["codice_fiscale"])
        validate_codice_fiscale(value)
        self.organizzazione = (
            Organizzazione.objects.select_related("ente", "ente__sede")
            .filter(ente__codice_fiscale=value)
            .first()
        )
        if self.organizzazione is None:
            raise forms.ValidationError(
                _("No organisation is registered with this tax code: you can register it."),
                code="sconosciuta",
            )
        return value
