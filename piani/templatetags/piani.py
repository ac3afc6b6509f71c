from decimal import Decimal

from django import template
from django.utils.formats import number_format

from piani import markdown

register = template.Library()


@register.filter
def md(testo):
    """Markdown to sanitised HTML."""
    return markdown.render(testo)


@register.filter
def euro(valore):
    """An amount the Italian way: ``€ 1.234,50`` (two decimals, grouped thousands)."""
    if valore in (None, ""):
        return ""
    return "€\u00a0" + number_format(Decimal(valore), 2, use_l10n=True, force_grouping=True)
