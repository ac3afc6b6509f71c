import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from pdz.models import User


class SignupForm(forms.Form):
    """Extra fields of allauth's sign-up form."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("First name and surname, as they appear on official documents."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    field_order = ["full_name", "email", "password1", "password2"]

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name"]


# --- numbers typed and shown the Italian way ------------------------------------------------


def numero_italiano(valore, decimali=2):
    """A number written the Italian way whatever the page's language: ``1.234,50``;
    ``decimali=None`` keeps only the decimals it has (``1.234,5``, ``100``)."""
    valore = Decimal(str(valore))
    if decimali is None:
        valore = valore.normalize()
        decimali = max(-valore.as_tuple().exponent, 0)
    testo = f"{valore:,.{decimali}f}"
    return testo.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


MIGLIAIA_PUNTO = re.compile(r"\d{1,3}(\.\d{3})+")
MIGLIAIA_VIRGOLA = re.compile(r"\d{1,3}(,\d{3}){2,}")
NUMERO = re.compile(r"\d+(\.\d+)?|\.\d+")


def leggi_numero(testo):
    """A Decimal from a number as people type it: ``1.234,56``, ``1234,5``, ``1234.5``,
    ``€ 1.200``, ``1,234.56``; None when blank. Raises ValueError when it is no number.

    A lone dot followed by three digits groups thousands (``1.234`` is 1234), as in Italian."""
    testo = testo.replace("€", "").replace("\u00a0", "").replace(" ", "").replace("'", "")
    if not testo:
        return None
    segno = ""
    if testo[0] in "+-":
        segno, testo = testo[0].replace("+", ""), testo[1:]
    if "," in testo and "." in testo:
        if testo.rfind(",") > testo.rfind("."):
            testo = testo.replace(".", "").replace(",", ".")
        else:
            testo = testo.replace(",", "")
    elif "," in testo:
        testo = testo.replace(",", "" if MIGLIAIA_VIRGOLA.fullmatch(testo) else ".")
    elif MIGLIAIA_PUNTO.fullmatch(testo):
        testo = testo.replace(".", "")
    if not NUMERO.fullmatch(testo):
        raise ValueError(testo)
    return Decimal(segno + testo)


class NumeroField(forms.DecimalField):
    """A number typed the Italian way (``1.234,5``) or with a decimal point (``1234.5``)."""

    widget = forms.TextInput
    decimali_fissi = False
    default_error_messages = {"invalid": _("Write a number such as 1.234,5.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        return {"inputmode": "decimal", "autocomplete": "off"}

    def to_python(self, value):
        if isinstance(value, str):
            try:
                return leggi_numero(value.strip())
            except (ValueError, InvalidOperation):
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return numero_italiano(value, 2 if self.decimali_fissi else None)
        return value


class ImportoField(NumeroField):
    """An amount in euros: never negative, shown with its cents (``1.234,50``)."""

    decimali_fissi = True
    default_error_messages = {"invalid": _("Write an amount such as 1.234,56.")}

    def validate(self, value):
        super().validate(value)
        if value is not None and value < 0:
            raise ValidationError(_("An amount cannot be negative."), code="min_value")
