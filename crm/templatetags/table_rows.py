"""The rows of a django-tables2 table, written in Python.

django-tables2 renders each cell through its template, which builds the column's attributes again
for every cell; on a 50-row list that was about half the page's time. Here each column's <td>
attributes are worked out once per table and the cells (rendered by django-tables2 as usual:
links, choices, dates; then localized and escaped as {{ cell }} would be) are joined with no
template in between.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()


def _td_attrs(column, *, first: bool) -> str:
    """The column's <td> attributes, and its name as data-label: on a phone each row is a card
    with every value under its column's name (app.css, .table-stack); the first cell is the title."""
    attrs = f" {column.attrs['td'].as_html()}" if column.attrs.get("td") else ""
    if not first:
        attrs += format_html(' data-label="{}"', column.header)
    return mark_safe(attrs)


@register.simple_tag
def table_rows(table) -> str:
    columns = list(table.columns)
    td_attrs = [_td_attrs(column, first=i == 0) for i, column in enumerate(columns)]
    html = []
    for row in table.paginated_rows:
        row_attrs = row.attrs.as_html()
        cells = "".join(
            f'<td role="cell"{attrs}>{conditional_escape(localize(cell))}</td>'
            for attrs, (_column, cell) in zip(td_attrs, row.items(), strict=True)
        )
        html.append(f"<tr role=\"row\"{' ' + row_attrs if row_attrs else ''}>{cells}</tr>")
    if not html and table.empty_text:
        html.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text))
    return mark_safe("".join(html))
