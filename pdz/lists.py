"""What every list page shares: pagination and CSV export."""

import csv

from django.core.paginator import Paginator
from django.http import HttpResponse

PER_PAGE = 25


def paginate(request, queryset, per_page=PER_PAGE):
    """The page asked for by ``?page=``, with ``elided_range`` for the pagination partial."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    page.elided_range = page.paginator.get_elided_page_range(page.number, on_ends=1)
    return page


def wants_csv(request):
    return request.GET.get("format") == "csv"


def csv_response(filename, header, rows):
    """A CSV file Excel opens as it is: UTF-8 with BOM, ``;`` between fields."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return response


def _cell(value):
    # Text typed by people must not become a formula when Excel opens the file.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
