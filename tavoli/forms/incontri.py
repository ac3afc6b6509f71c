"""Forms of the meetings: date and place, the agenda, convening, cancelling, documents."""

import zipfile

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from pdz.validators import MAX_ALLEGATO
from tavoli.models import Documento, Incontro
from terzo_settore.forms.avvisi import date_time_field


class IncontroForm(forms.ModelForm):
    inizio = date_time_field(_("Starts at"))
    fine = date_time_field(_("Ends at"))
    link_online = forms.URLField(
        label=_("Online meeting link"),
        required=False,
        assume_scheme="https",
        help_text=_("The address of the video call, if members can join online."),
    )

    class Meta:
        model = Incontro
        fields = ["titolo", "inizio", "fine", "luogo", "link_online", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "titolo": _("E.g. First meeting of the table, Approval of the annual plan."),
            "luogo": _("Room and address. Leave blank for an online-only meeting."),
            "note": _("Sent with the convocation, e.g. how to reach the room."),
        }

    def clean(self):
        cleaned = super().clean()
        inizio, fine = cleaned.get("inizio"), cleaned.get("fine")
        if inizio and fine and fine <= inizio:
            self.add_error("fine", _("The meeting must end after it starts."))
        senza_luogo = not cleaned.get("luogo", "").strip() and not cleaned.get("link_online")
        if senza_luogo and "link_online" not in self.errors:
            self.add_error("luogo", _("Give the place of the meeting, an online link, or both."))
        return cleaned


class PuntoForm(forms.Form):
    titolo = forms.CharField(label=_("Item"), max_length=300, required=False)
    descrizione = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("descrizione", "").strip() and not cleaned.get("titolo", "").strip():
            self.add_error("titolo", _("Give the item a title, or clear its description."))
        return cleaned


class BasePuntiFormSet(forms.BaseFormSet):
    def punti(self):
        """The agenda as (titolo, descrizione), in the order typed, blank rows left out."""
        return [
            (form.cleaned_data["titolo"].strip(), form.cleaned_data["descrizione"].strip())
            for form in self.forms
            if form.cleaned_data.get("titolo", "").strip()
        ]


PuntiFormSet = forms.formset_factory(PuntoForm, formset=BasePuntiFormSet, extra=3)


def punti_formset(data=None, incontro=None):
    initial = None
    if incontro is not None and incontro.pk:
        initial = [{"titolo": p.titolo, "descrizione": p.descrizione} for p in incontro.punti.all()]
    return PuntiFormSet(data, initial=initial, prefix="punti")


class ConvocaForm(forms.Form):
    """Inside the body's notice period the meeting is convened only as urgent."""

    urgente = forms.BooleanField(
        label=_("This meeting is urgent: convene it with less notice than the body's rule"),
        required=False,
    )


class AnnullaForm(forms.Form):
    motivo = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Written in the message the members receive."),
    )


# What a meeting paper may be: the formats offices exchange, recognised by their content.
FORMATI = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def formato(file):
    """The extension of ``file`` by its content (a key of FORMATI), or None."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        file.seek(0)
        head = file.read(1024)
        if b"%PDF-" in head:
            return "pdf"
        if not head.startswith(b"PK\x03\x04"):
            return None
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    return {v: k for k, v in FORMATI.items()}.get(mimetype)
                if "[Content_Types].xml" in names:
                    if any(n.startswith("word/") for n in names):
                        return "docx"
                    if any(n.startswith("xl/") for n in names):
                        return "xlsx"
        except zipfile.BadZipFile:
            return None
        return None
    finally:
        file.seek(position)


def validate_documento(file, max_size=MAX_ALLEGATO):
    if file.size > max_size:
        raise ValidationError(
            _("The file is %(size)s: the limit is %(limit)s."),
            code="troppo_grande",
            params={"size": filesizeformat(file.size), "limit": filesizeformat(max_size)},
        )
    if formato(file) is None:
        raise ValidationError(
            _(
                "This file is not a PDF, ODT, ODS, DOCX or XLSX document: save it in one "
                "of these formats and try again."
            ),
            code="formato",
        )


class DocumentoForm(forms.ModelForm):
    file = forms.FileField(
        label=_("File (PDF, ODT, ODS, DOCX or XLSX, at most 10 MB)"),
        validators=[validate_documento],
        widget=forms.ClearableFileInput(
            attrs={"accept": ".pdf,.odt,.ods,.docx,.xlsx," + ",".join(FORMATI.values())}
        ),
    )

    class Meta:
        model = Documento
        fields = ["tipo", "titolo", "file"]
        help_texts = {"titolo": _("E.g. Draft annual plan, Presentation of the data.")}
