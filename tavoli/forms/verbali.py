"""Forms of the minutes (verbale): the text, its attachments, the meeting that approves it."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from pdz.validators import validate_pdf


class VerbaleForm(forms.Form):
    """The general part and one text per agenda item (``punto_<id>``)."""

    generale = forms.CharField(
        label=_("General part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Opening of the meeting, who chairs it and who takes the minutes, quorum, "
            "anything not tied to one agenda item."
        ),
    )

    def __init__(self, *args, incontro, punti, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("generale", incontro.verbale)
        super().__init__(*args, **kwargs)
        self.punti = list(punti)
        for punto in self.punti:
            self.fields[f"punto_{punto.pk}"] = forms.CharField(
                label=f"{punto.numero}. {punto.titolo}",
                required=False,
                initial=punto.verbale,
                widget=forms.Textarea(attrs={"rows": 6}),
            )

    def testi_punti(self):
        return {p.pk: self.cleaned_data[f"punto_{p.pk}"] for p in self.punti}

    def campi_punti(self):
        return [self[f"punto_{p.pk}"] for p in self.punti]


class AllegatoVerbaleForm(forms.Form):
    titolo = forms.CharField(label=_("Title of the attachment"), max_length=200)
    file = forms.FileField(
        label=_("File (PDF, at most 10 MB)"),
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class SedutaApprovazioneForm(forms.Form):
    seduta = forms.ModelChoiceField(
        label=_("Meeting that approves the minutes"),
        queryset=None,
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the meeting.")},
    )

    def __init__(self, *args, sedute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seduta"].queryset = sedute
        self.fields["seduta"].label_from_instance = _etichetta_seduta


def _etichetta_seduta(incontro):
    return f"{date_format(timezone.localtime(incontro.inizio), 'd/m/Y H:i')} — {incontro.titolo}"
