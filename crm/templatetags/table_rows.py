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


@register.simple_tag
def table_rows(table) -> str:
    columns = list(table.columns)
    td_attrs = [mark_safe(f" {column.attrs['td'].as_html()}" if column.attrs.get("td") else "") for column in columns]
    html = []
    for row in table.paginated_rows:
        row_attrs = row.attrs.as_html()
        cells = "".join(
            f"<td{attrs}>{conditional_escape(localize(cell))}</td>"
            for attrs, (_column, cell) in zip(td_attrs, row.items(), strict=True)
        )
        html.append(f"<tr{' ' + row_attrs if row_attrs else ''}>{cells}</tr>")
    if not html and table.empty_text:
        html.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text))
    return mark_safe("".join(html))
