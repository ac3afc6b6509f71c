"""Forms of the applications (domande) and of their review (istruttoria)."""

import re
from pathlib import Path

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, AreaUtenza
from pdz.forms import ImportoField
from pdz.validators import validate_pdf
from terzo_settore.forms.avvisi import DateInput
from terzo_settore.models import Avviso, Domanda
from terzo_settore.services import CON_MOTIVAZIONE

_RUNTS = _(
    "The organisation is registered in the RUNTS (Registro unico nazionale del Terzo "
    "settore), or in the Registro imprese for social enterprises, or its registration is "
    "pending."
)
_VERITA = _(
    "The statements in this application are true: the legal representative knows that false "
    "statements are punished under art. 76 of D.P.R. 445/2000."
)
_PRIVACY = _(
    "The organisation consents to the processing of the personal data in this application "
    "for the purposes of the Piano di Zona, as the privacy notice explains (EU Regulation "
    "2016/679)."
)

# The declarations an application ticks, per kind of notice: (text, needed to submit).
# The text is stored as ticked in ``Domanda.dichiarazioni`` and printed on the receipt.
DICHIARAZIONI = {
    Avviso.Tipo.ADESIONE: [
        (_RUNTS, True),
        (
            _(
                "The organisation accepts the principles and aims of the Piano di Zona and "
                "undertakes to take part in good faith in the tables it joins."
            ),
            True,
        ),
        (_VERITA, True),
        (_PRIVACY, True),
        (
            _(
                "The organisation agrees that its name, its areas of activity and its "
                "contacts are published in the list of organisations taking part."
            ),
            False,
        ),
    ],
    Avviso.Tipo.MANIFESTAZIONE: [
        (_RUNTS, True),
        (
            _(
                "The organisation works in the areas of the tables it chooses and will take "
                "part in their meetings through its delegate."
            ),
            True,
        ),
        (_VERITA, True),
        (_PRIVACY, True),
    ],
    Avviso.Tipo.RILEVAZIONE: [
        (_("The figures given are true and refer to the period the survey asks about."), True),
        (_PRIVACY, True),
    ],
    Avviso.Tipo.COPROGETTAZIONE: [
        (_RUNTS, True),
        (
            _(
                "None of the grounds for exclusion from contracts with public administrations "
                "applies to the organisation or to its legal representative."
            ),
            True,
        ),
        (
            _(
                "The organisation accepts all the conditions of the notice and of the "
                "agreement that will follow the co-design."
            ),
            True,
        ),
        (_VERITA, True),
        (_PRIVACY, True),
    ],
}

CON_DELEGATO = (Avviso.Tipo.ADESIONE, Avviso.Tipo.MANIFESTAZIONE)


class DomandaForm(forms.ModelForm):
    """What an application says, according to the kind of notice. Everything may stay blank
    in a draft; ``controlla_invio`` says what a submission still needs."""

    proposta_budget = ImportoField(
        label=_("Budget of the proposal (€)"), required=False, min_value=0
    )

    class Meta:
        model = Domanda
        fields = [
            "delegato_nome",
            "delegato_email",
            "supplente_nome",
            "supplente_email",
            "tavoli",
            "proposta",
            "proposta_budget",
        ]
        labels = {
            "delegato_nome": _("Delegate: full name"),
            "delegato_email": _("Delegate: e-mail"),
            "supplente_nome": _("Substitute: full name"),
            "supplente_email": _("Substitute: e-mail"),
            "tavoli": _("Tables the organisation wants to join"),
            "proposta": _("Proposal"),
        }
        widgets = {
            "tavoli": forms.CheckboxSelectMultiple,
            "proposta": forms.Textarea(attrs={"rows": 10}),
            "delegato_nome": forms.TextInput(attrs={"autocomplete": "off"}),
            "supplente_nome": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "delegato_nome": _("The person who will sit at the tables for the organisation."),
            "supplente_nome": _("Who takes the delegate's place when they cannot attend."),
            "proposta": _(
                "Activities, people and means the organisation offers, the expected results "
                "and how they will be measured."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        avviso = self.instance.avviso
        self.tipo = avviso.tipo
        if self.tipo not in CON_DELEGATO:
            for name in ("delegato_nome", "delegato_email", "supplente_nome", "supplente_email"):
                del self.fields[name]
        if self.tipo == Avviso.Tipo.MANIFESTAZIONE:
            self.fields["tavoli"].queryset = avviso.tavoli_offerti.all()
        else:
            del self.fields["tavoli"]
        if self.tipo != Avviso.Tipo.COPROGETTAZIONE:
            del self.fields["proposta"]
            del self.fields["proposta_budget"]
        self.dichiarazioni = DICHIARAZIONI.get(self.tipo, [])
        fatte = self.instance.dichiarazioni or {}
        for i, (testo, obbligatoria) in enumerate(self.dichiarazioni):
            self.fields[f"dichiarazione_{i}"] = forms.BooleanField(
                label=testo,
                required=False,
                initial=bool(fatte.get(str(testo))),
                help_text=_("Needed to submit.") if obbligatoria else _("Optional."),
            )

    @property
    def campi_dichiarazioni(self):
        return [self[f"dichiarazione_{i}"] for i in range(len(self.dichiarazioni))]

    @property
    def campi_delegato(self):
        names = ("delegato_nome", "delegato_email", "supplente_nome", "supplente_email")
        return [self[name] for name in names if name in self.fields]

    def controlla_invio(self):
        """Add the errors that stop a submission (not a draft); True when it may go."""
        for i, (_testo, obbligatoria) in enumerate(self.dichiarazioni):
            if obbligatoria and not self.cleaned_data.get(f"dichiarazione_{i}"):
                self.add_error(
                    f"dichiarazione_{i}", _("Tick this declaration to submit the application.")
                )
        if self.tipo in CON_DELEGATO:
            for name in ("delegato_nome", "delegato_email"):
                if name in self.cleaned_data and not self.cleaned_data[name]:
                    self.add_error(name, _("Needed to submit: who will sit at the tables?"))
        if self.tipo == Avviso.Tipo.MANIFESTAZIONE and not self.cleaned_data.get("tavoli", True):
            self.add_error("tavoli", _("Choose at least one table to submit."))
        if (
            self.tipo == Avviso.Tipo.COPROGETTAZIONE
            and not self.cleaned_data.get("proposta", "-").strip()
        ):
            self.add_error("proposta", _("Describe the proposal to submit it."))
        return not self.errors

    def save(self, commit=True):
        self.instance.dichiarazioni = {
            str(testo): True
            for i, (testo, _obbligatoria) in enumerate(self.dichiarazioni)
            if self.cleaned_data.get(f"dichiarazione_{i}")
        }
        return super().save(commit)


class AllegatoDomandaForm(forms.Form):
    """One attachment sent with the application form; blank when nothing is attached."""

    titolo = forms.CharField(
        label=_("Title of the attachment"),
        max_length=200,
        required=False,
        help_text=_("E.g. Statute, Activity report 2025. If blank, the file name is used."),
    )
    file = forms.FileField(
        label=_("File (PDF, at most 10 MB)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean(self):
        cleaned = super().clean()
        if "file" in self.errors:
            return cleaned
        file = cleaned.get("file")
        if cleaned.get("titolo") and not file:
            self.add_error("file", _("Choose the file to attach."))
        elif file and not cleaned.get("titolo"):
            cleaned["titolo"] = Path(file.name).stem.replace("_", " ")[:200]
        return cleaned

    @property
    def allegato(self):
        """(titolo, file) to attach, or None."""
        file = self.cleaned_data.get("file")
        return (self.cleaned_data["titolo"], file) if file else None


# --- review ---------------------------------------------------------------------------------

ETICHETTE_MOTIVAZIONE = {
    Domanda.Stato.INTEGRAZIONE: _("What the organisation must send or complete"),
    Domanda.Stato.AMMESSA: _("Note for the organisation (optional)"),
    Domanda.Stato.NON_AMMESSA: _("Why the application is not admitted"),
    Domanda.Stato.SOSPESA: _("Why the admission is suspended"),
    Domanda.Stato.REVOCATA: _("Why the admission is revoked"),
}


def etichetta_azione(da, a):
    """The button of the review step from state ``da`` to ``a``."""
    if a == Domanda.Stato.IN_ISTRUTTORIA:
        return _("Take in charge") if da == Domanda.Stato.INVIATA else _("Resume the review")
    if a == Domanda.Stato.AMMESSA:
        return _("Re-admit") if da == Domanda.Stato.SOSPESA else _("Admit")
    return {
        Domanda.Stato.INTEGRAZIONE: _("Request more information"),
        Domanda.Stato.NON_AMMESSA: _("Do not admit"),
        Domanda.Stato.SOSPESA: _("Suspend"),
        Domanda.Stato.REVOCATA: _("Revoke"),
    }[a]


class AzioneForm(forms.Form):
    """One review step: the new state and, where the law wants one, its reason."""

    motivazione = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, domanda, nuovo, **kwargs):
        super().__init__(*args, prefix=nuovo, **kwargs)
        self.nuovo = Domanda.Stato(nuovo)
        self.etichetta = etichetta_azione(domanda.stato, self.nuovo)
        self.pericolosa = self.nuovo in (Domanda.Stato.NON_AMMESSA, Domanda.Stato.REVOCATA)
        if self.nuovo in ETICHETTE_MOTIVAZIONE:
            self.fields["motivazione"].label = ETICHETTE_MOTIVAZIONE[self.nuovo]
            self.fields["motivazione"].required = self.nuovo in CON_MOTIVAZIONE
        else:
            del self.fields["motivazione"]

    def clean_motivazione(self):
        return self.cleaned_data["motivazione"].strip()


class IstruttoriaFilter(django_filters.FilterSet):
    """The review queue of the ambiti ``user`` manages."""

    q = django_filters.CharFilter(
        label=_("Organisation or protocol"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    ambito = django_filters.ModelChoiceFilter(
        label=_("Ambito"), queryset=Ambito.objects.none(), empty_label=_("All")
    )
    avviso = django_filters.ModelChoiceFilter(
        label=_("Notice"), queryset=Avviso.objects.none(), empty_label=_("All")
    )
    stato = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[c for c in Domanda.Stato.choices if c[0] != Domanda.Stato.BOZZA],
        empty_label=_("All"),
    )
    area = django_filters.ModelChoiceFilter(
        label=_("Target group"),
        field_name="organizzazione__aree",
        queryset=AreaUtenza.objects.none(),
        empty_label=_("All"),
    )
    dal = django_filters.DateFilter(
        label=_("Submitted from"),
        field_name="inviata_at",
        lookup_expr="date__gte",
        widget=DateInput,
    )
    al = django_filters.DateFilter(
        label=_("Submitted until"),
        field_name="inviata_at",
        lookup_expr="date__lte",
        widget=DateInput,
    )

    def __init__(self, data=None, *args, ambiti, **kwargs):
        super().__init__(data, *args, **kwargs)
        ambiti = list(ambiti)
        if len(ambiti) > 1:
            self.filters["ambito"].queryset = Ambito.objects.filter(pk__in=[a.pk for a in ambiti])
        else:
            del self.filters["ambito"]
        self.filters["avviso"].queryset = Avviso.objects.filter(ambito__in=ambiti).order_by(
            "-apertura"
        )
        self.filters["area"].queryset = AreaUtenza.objects.filter(
            Q(ambito__isnull=True) | Q(ambito__in=ambiti), attiva=True
        )

    def search(self, queryset, name, value):
        value = value.strip()
        q = Q(organizzazione__ente__denominazione__icontains=value) | Q(
            organizzazione__ente__codice_fiscale=value.upper()
        )
        protocollo = re.fullmatch(r"(\d{4})\s*/\s*(\d+)", value)
        if protocollo:
            q |= Q(protocollo_anno=int(protocollo[1]), protocollo_numero=int(protocollo[2]))
        elif value.isdigit() and len(value) <= 9:
            q |= Q(protocollo_numero=int(value))
        return queryset.filter(q)


class ScegliOrganizzazioneForm(forms.Form):
    """Which of the user's organisations applies."""

    organizzazione = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, organizzazioni, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizzazione"].queryset = organizzazioni
