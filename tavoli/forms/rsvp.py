"""The answer to a convocation, given from the personal link in the e-mail."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tavoli.models import Convocazione


class RispostaForm(forms.Form):
    risposta = forms.ChoiceField(
        label=_("Will you attend?"),
        choices=[
            (Convocazione.Risposta.SI, _("I will attend")),
            (Convocazione.Risposta.NO, _("I will not attend")),
            (Convocazione.Risposta.DELEGA, _("Someone else will attend in my place")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the answers.")},
    )
    delegato = forms.CharField(
        label=_("Who will attend in your place"),
        max_length=200,
        required=False,
        help_text=_("Name and role, e.g. “Maria Rossi, assessore ai servizi sociali”."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("risposta") == Convocazione.Risposta.DELEGA
            and not cleaned.get("delegato", "").strip()
        ):
            self.add_error("delegato", _("Say who will attend in your place."))
        return cleaned
