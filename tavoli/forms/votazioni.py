"""Forms of the votes: opening one, casting a ballot online, recording a show of hands."""

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tavoli.models import Incontro, PuntoOdg, Votazione, Voto
from terzo_settore.forms.avvisi import date_time_field

ASSENTE = "assente"


class VotazioniFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Motion"),
        field_name="oggetto",
        lookup_expr="icontains",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    stato = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            (Votazione.Stato.APERTA, pgettext_lazy("vote", "Open")),
            (Votazione.Stato.CHIUSA, pgettext_lazy("vote", "Closed")),
        ],
        empty_label=_("All"),
    )

    class Meta:
        model = Votazione
        fields = ["q", "stato"]


class VotazioneForm(forms.Form):
    punto = forms.ModelChoiceField(
        label=_("Agenda item"),
        queryset=PuntoOdg.objects.none(),
        required=False,
        empty_label=_("No agenda item (a vote outside a meeting)"),
    )
    oggetto = forms.CharField(label=_("Motion"), max_length=300)
    testo = forms.CharField(
        label=_("Text of the motion"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What exactly the members approve or reject."),
    )
    modalita = forms.ChoiceField(
        label=_("How the members vote"),
        choices=Votazione.Modalita.choices,
        initial=Votazione.Modalita.ONLINE,
        widget=forms.RadioSelect,
    )
    seconda_convocazione = forms.BooleanField(
        label=_("Second call"),
        required=False,
        help_text=_("The quorum of the second call applies."),
    )
    chiude_at = date_time_field(
        _("Closes at"),
        required=False,
        help_text=_("Online votes only; optional. After this time no one can vote."),
    )

    def __init__(self, *args, tavolo, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["punto"].queryset = (
            PuntoOdg.objects.filter(incontro__tavolo=tavolo)
            .exclude(incontro__stato=Incontro.Stato.ANNULLATO)
            .select_related("incontro")
            .order_by("-incontro__inizio", "numero")
        )
        self.fields["punto"].label_from_instance = _etichetta_punto

    def clean_chiude_at(self):
        chiude_at = self.cleaned_data.get("chiude_at")
        if chiude_at and chiude_at <= timezone.now():
            raise forms.ValidationError(_("The closing time must be in the future."))
        return chiude_at


def _etichetta_punto(punto):
    data = timezone.localtime(punto.incontro.inizio).strftime("%d/%m/%Y")
    return f"{data} · {punto.incontro.titolo} — {punto.numero}. {punto.titolo}"


class VotoForm(forms.Form):
    """One ballot, for one member the user represents."""

    scelta = forms.ChoiceField(
        label=_("Your vote"),
        choices=Voto.Scelta.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how to vote.")},
    )

    def __init__(self, *args, membro, **kwargs):
        super().__init__(*args, prefix=f"m{membro.pk}", **kwargs)
        self.membro = membro


class PaleseForm(forms.Form):
    """The show of hands: one choice per voting member (``membro_<id>``)."""

    def __init__(self, *args, membri, iniziali=None, **kwargs):
        super().__init__(*args, **kwargs)
        iniziali = iniziali or {}
        self.membri = list(membri)
        scelte = [("", "—"), *Voto.Scelta.choices, (ASSENTE, _("Absent / not voting"))]
        for membro in self.membri:
            self.fields[f"membro_{membro.pk}"] = forms.ChoiceField(
                label=membro.ente.denominazione,
                choices=scelte,
                initial=iniziali.get(membro.pk, ""),
                error_messages={
                    "required": _("Record how this member voted, or that it was absent.")
                },
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def scelte(self):
        """{member id: scelta} of the members present, for ``services.registra_voto_palese``."""
        return {
            m.pk: self.cleaned_data[f"membro_{m.pk}"]
            for m in self.membri
            if self.cleaned_data[f"membro_{m.pk}"] != ASSENTE
        }

    def __iter__(self):
        for membro in self.membri:
            yield membro, self[f"membro_{membro.pk}"]
