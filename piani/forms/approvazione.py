"""The form that puts a plan or an annual plan to the vote of the Assemblea dei Sindaci."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tavoli.models import Tavolo, Votazione
from terzo_settore.forms.avvisi import date_time_field


class VotoAssembleaForm(forms.Form):
    tavolo = forms.ModelChoiceField(
        label=_("Body that votes"),
        queryset=Tavolo.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose the Assemblea dei Sindaci."),
            "invalid_choice": _("Choose the Assemblea dei Sindaci."),
        },
    )
    modalita = forms.ChoiceField(
        label=_("How the mayors vote"),
        choices=Votazione.Modalita.choices,
        initial=Votazione.Modalita.ONLINE,
        widget=forms.RadioSelect,
    )
    chiude_at = date_time_field(
        _("Online voting closes at"),
        required=False,
        help_text=_("Online votes only. The vote is counted at this time."),
    )

    def __init__(self, *args, tavoli, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tavolo"].queryset = tavoli
        self.fields["tavolo"].label_from_instance = _etichetta_tavolo

    def clean(self):
        dati = super().clean()
        chiude_at = dati.get("chiude_at")
        if dati.get("modalita") == Votazione.Modalita.ONLINE:
            if chiude_at is None and "chiude_at" not in self.errors:
                self.add_error("chiude_at", _("An online vote needs a closing time."))
            elif chiude_at is not None and chiude_at <= timezone.now():
                self.add_error("chiude_at", _("The closing time must be in the future."))
        else:
            dati["chiude_at"] = None
        return dati


def _etichetta_tavolo(tavolo):
    return f"{tavolo.nome} — {tavolo.regola_voto.nome}"
