"""The plan's texts are Markdown; what reaches a page or a PDF is sanitised HTML.

Headings start at h3 (the page and the PDF give h1 to the plan, h2 to the section)."""

import markdown as md
import nh3
from django.utils.safestring import mark_safe

TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "a", "hr", "code", "pre",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


def render(testo):
    """HTML of the Markdown ``testo``: raw HTML and ``javascript:`` links are removed."""
    html = md.markdown(
        testo or "",
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": 3}},  # "# Title" inside a section is an h3
        output_format="html",
    )
    return mark_safe(
        nh3.clean(
            html,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )
