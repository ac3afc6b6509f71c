"""Forms of the adhesions and of the accordo di programma."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pdz.validators import validate_pdf
from piani.models import Adesione, Firmatario
from terzo_settore.forms.avvisi import DateInput


class AdesioneForm(forms.Form):
    organizzazione = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, empty_label=None
    )
    impegni = forms.CharField(
        label=_("What the organisation commits to"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The activities, people or resources the organisation brings to the plan. "
            "They are printed in the accordo."
        ),
    )
    firmatario_nome = forms.CharField(
        label=_("Who signs the accordo"),
        max_length=200,
        help_text=_("Usually the legal representative."),
    )
    firmatario_qualifica = forms.CharField(
        label=_("As"), max_length=200, help_text=_("E.g. legal representative, president.")
    )

    def __init__(self, *args, organizzazioni, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organizzazione"].queryset = organizzazioni
        self.fields["organizzazione"].label_from_instance = lambda o: o.ente.denominazione
        if len(organizzazioni) == 1 and not self.is_bound:
            self.initial.setdefault("firmatario_nome", organizzazioni[0].rappresentante_legale)
            self.initial.setdefault("firmatario_qualifica", _("Legal representative"))


class DecisioneForm(forms.Form):
    ACCOGLI, RESPINGI = "accogli", "respingi"

    esito = forms.ChoiceField(
        label=_("Decision"),
        choices=[(ACCOGLI, _("Accept the adhesion")), (RESPINGI, _("Refuse the adhesion"))],
        widget=forms.RadioSelect,
    )
    motivazione = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required to refuse; the organisation reads it in the e-mail."),
    )

    def clean(self):
        dati = super().clean()
        if dati.get("esito") == self.RESPINGI and not dati.get("motivazione", "").strip():
            self.add_error("motivazione", _("Write why the adhesion is refused."))
        return dati


class AdesioniFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Organisation"),
        field_name="organizzazione__ente__denominazione",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    stato = django_filters.ChoiceFilter(
        label=_("State"), choices=Adesione.Stato.choices, empty_label=_("All")
    )

    class Meta:
        model = Adesione
        fields = ["q", "stato"]


class TestiAccordoForm(forms.Form):
    premesse = forms.CharField(
        label=_("Recitals"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("Markdown formatting: **bold**, lists with “- ”."),
    )
    impegni = forms.CharField(
        label=_("Commitments of the parties"), widget=forms.Textarea(attrs={"rows": 12})
    )
    durata = forms.CharField(label=_("Duration"), widget=forms.Textarea(attrs={"rows": 4}))
    governance = forms.CharField(label=_("Governance"), widget=forms.Textarea(attrs={"rows": 10}))


def _non_futura(data):
    if data and data > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))
    return data


class CopiaFirmataForm(forms.Form):
    file = forms.FileField(
        label=_("Signed copy (PDF)"),
        validators=[validate_pdf],
        help_text=_("The accordo signed by this party, digitally or scanned, as one PDF file."),
    )
    firmato_il = forms.DateField(label=_("Signed on"), widget=DateInput)
    nome = forms.CharField(label=_("Signed by"), max_length=200)
    qualifica = forms.CharField(label=_("As"), max_length=200)

    def __init__(self, *args, firmatario: Firmatario, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "nome": firmatario.nome,
                "qualifica": firmatario.qualifica,
                "firmato_il": firmatario.firmato_il,
            },
        )
        super().__init__(*args, **kwargs)

    def clean_firmato_il(self):
        return _non_futura(self.cleaned_data.get("firmato_il"))


class AttoForm(forms.Form):
    numero = forms.CharField(
        label=_("Number of the approving act"),
        max_length=60,
        help_text=_("E.g. decree of the mayor of the ente capofila no. 12/2025."),
    )
    data = forms.DateField(label=_("Date of the act"), widget=DateInput)

    def clean_data(self):
        return _non_futura(self.cleaned_data.get("data"))


class BurForm(forms.Form):
    riferimento = forms.CharField(
        label=_("BUR reference"),
        max_length=200,
        help_text=_("E.g. BURL Serie Ordinaria no. 15 of 10 April 2025."),
    )
    data = forms.DateField(label=_("Publication date"), widget=DateInput)

    def clean_data(self):
        return _non_futura(self.cleaned_data.get("data"))
