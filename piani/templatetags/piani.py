from django import template

from piani import budget, markdown

register = template.Library()


@register.filter
def md(testo):
    """Markdown to sanitised HTML."""
    return markdown.render(testo)


@register.filter
def euro(valore):
    """An amount the Italian way: ``€ 1.234,50`` (two decimals, grouped thousands)."""
    return budget.testo_euro(valore)
