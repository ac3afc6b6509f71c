import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from localflavor.it.util import ssn_validation, vat_number_validation

PERSONA = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)


def validate_partita_iva(value):
    """11 digits whose last is the check digit of the Agenzia delle Entrate algorithm."""
    if not re.fullmatch(r"\d{11}", value or ""):
        raise ValidationError(_("A VAT number has exactly 11 digits."), code="formato")
    try:
        vat_number_validation(value)
    except ValueError:
        raise ValidationError(
            _("The check digit is wrong: please check the number."), code="controllo"
        ) from None


def validate_codice_fiscale(value):
    """A body's 11-digit codice fiscale, or a person's 16-character one, with its check digit."""
    value = (value or "").upper()
    if value.isdigit():
        if len(value) != 11:
            raise ValidationError(
                _("The tax code of a body has exactly 11 digits."), code="formato"
            )
        validate_partita_iva(value)
        return
    if not PERSONA.fullmatch(value):
        raise ValidationError(
            _("Enter 11 digits for a body or the 16 characters of a person's tax code."),
            code="formato",
        )
    try:
        ssn_validation(value)
    except ValueError:
        raise ValidationError(
            _("The check character is wrong: please check the tax code."), code="controllo"
        ) from None
