"""The attendance register of a meeting: one row per member."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tavoli.models import Convocazione, Presenza


def iniziale(membro, presenza, risposte):
    """(stato, rappresentato_da) to show for ``membro``: the register if already taken,
    otherwise what its people answered to the convocation (absent if nobody answered)."""
    if presenza is not None:
        return presenza.stato, presenza.rappresentato_da
    if Convocazione.Risposta.SI in risposte:
        return Presenza.Stato.PRESENTE, ""
    if Convocazione.Risposta.DELEGA in risposte:
        return Presenza.Stato.DELEGATO, risposte[Convocazione.Risposta.DELEGA]
    return Presenza.Stato.ASSENTE, ""


class PresenzeForm(forms.Form):
    """Two fields per member: ``stato_<id>`` and ``da_<id>`` (who represented it)."""

    def __init__(self, *args, righe, **kwargs):
        """``righe``: [(membro, stato iniziale, rappresentato_da iniziale)]."""
        super().__init__(*args, **kwargs)
        self.membri = []
        for membro, stato, rappresentato_da in righe:
            self.membri.append(membro)
            self.fields[f"stato_{membro.pk}"] = forms.ChoiceField(
                label=membro.ente.denominazione,
                choices=Presenza.Stato.choices,
                widget=forms.RadioSelect,
                initial=stato,
            )
            self.fields[f"da_{membro.pk}"] = forms.CharField(
                label=_("Represented by"),
                max_length=200,
                required=False,
                initial=rappresentato_da,
                widget=forms.TextInput(attrs={"class": "form-control"}),
            )

    def clean(self):
        cleaned = super().clean()
        for membro in self.membri:
            if (
                cleaned.get(f"stato_{membro.pk}") == Presenza.Stato.DELEGATO
                and not cleaned.get(f"da_{membro.pk}", "").strip()
            ):
                self.add_error(f"da_{membro.pk}", _("Say who represented the member."))
        return cleaned

    def righe(self):
        """The register for ``services.registra_presenze``: {member id: (stato, by whom)}."""
        return {
            m.pk: (self.cleaned_data[f"stato_{m.pk}"], self.cleaned_data[f"da_{m.pk}"])
            for m in self.membri
        }

    def __iter__(self):
        """Rows for the template: (membro, stato field, rappresentato_da field)."""
        for membro in self.membri:
            yield membro, self[f"stato_{membro.pk}"], self[f"da_{membro.pk}"]
