"""Forms of the consultation: opening the window, a comment, the staff's answer."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pdz.validators import validate_pdf
from piani.models import Osservazione
from terzo_settore.forms.avvisi import date_time_field


class ConsultazioneForm(forms.Form):
    apre_at = date_time_field(
        _("Opens at"), help_text=_("From this moment the participants can send comments.")
    )
    chiude_at = date_time_field(
        _("Closes at"), help_text=_("After this moment no comment can be sent.")
    )
    istruzioni = forms.CharField(
        label=_("Instructions for the participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you ask them to look at and how to write their comments. Markdown formatting."
        ),
    )

    def clean(self):
        dati = super().clean()
        apre_at, chiude_at = dati.get("apre_at"), dati.get("chiude_at")
        if chiude_at:
            if chiude_at <= timezone.now():
                self.add_error("chiude_at", _("The closing time must be in the future."))
            elif apre_at and chiude_at <= apre_at:
                self.add_error("chiude_at", _("The consultation must close after it opens."))
        return dati


SEZIONI = Osservazione._meta.get_field("sezione").choices


class OsservazioneForm(forms.Form):
    """A comment on one section (``sezione``, hidden: each section has its own form) on
    behalf of one of ``enti``, the parties the person may speak for."""

    sezione = forms.ChoiceField(choices=SEZIONI, widget=forms.HiddenInput)
    ente = forms.TypedChoiceField(label=_("On behalf of"), coerce=int)
    testo = forms.CharField(
        label=_("Your comment"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write your comment.")},
    )
    allegato = forms.FileField(
        label=_("Attachment (PDF, optional)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )

    def __init__(self, *args, enti, sezione, **kwargs):
        chiave = "generale" if sezione == Osservazione.GENERALE else sezione
        kwargs.setdefault("prefix", f"oss-{chiave}")
        initial = kwargs.setdefault("initial", {})
        initial["sezione"] = sezione
        self.enti = {e.pk: e for e in enti}
        if len(self.enti) == 1:
            initial.setdefault("ente", next(iter(self.enti)))
        super().__init__(*args, **kwargs)
        scelte = [(e.pk, e.denominazione) for e in enti]
        self.fields["ente"].choices = [("", "—"), *scelte] if len(scelte) > 1 else scelte

    def clean_ente(self):
        return self.enti[self.cleaned_data["ente"]]


class RispostaForm(forms.Form):
    esito = forms.ChoiceField(
        label=_("Outcome"),
        choices=Osservazione.Esito.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the outcome of the comment.")},
    )
    risposta = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write the answer to the comment.")},
    )

    def __init__(self, *args, osservazione, **kwargs):
        kwargs.setdefault("prefix", f"r{osservazione.pk}")
        if osservazione.esito:
            kwargs.setdefault(
                "initial", {"esito": osservazione.esito, "risposta": osservazione.risposta}
            )
        super().__init__(*args, **kwargs)
