"""The rows of a django-tables2 table, written in Python.

django-tables2 renders each cell through BoundRow: it builds the column's attributes again for
every cell, and works out each cell's renderer (which arguments its render method takes) again for
every cell; on a 50-row list that was most of the page's time (docs/performance.md). Here each
column's <td> attributes, and for plain columns the way to read the value, are worked out once per
table; the other cells are rendered by BoundRow's own steps (the value read, the default when
empty, the render method, the link), the arguments their render method takes worked out once per
table too. Every cell is then written as {{ cell }} writes it (render_value_in_context: time zone, localization, escaping).

The rows are django-tables2's stock template's (django_tables2/table.html), row for row and cell
for cell, with role="row", role="cell" and, but for the first cell, the column's name as
data-label added: a phone shows each row as a card, every value under its column's name (app.css,
.table-stack). Holding to that for plain columns means doing what django-tables2 does (a choice's
label, the column's default for an empty value, a linkify=True link to get_absolute_url()) and
reading what it keeps inside (BoundColumn.link and its LinkTransform, Table._meta.model), which is
not public API; django-tables2's public API alone (BoundRow.get_cell for every cell) is the slow
path this replaces. So pyproject.toml pins django-tables2 to one minor release, and
tests/crm/lib/test_table_rows.py compares these rows with the stock template's for every table of
the project, in every state a row can be in. The per-table work also assumes what the test checks:
no column's <td> attributes depend on the cell (no callable in attrs["td"]), no column sets
`localize`.
"""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.template.base import render_value_in_context
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_tables2 import Column
from django_tables2.utils import signature

from crm.lib.columns import DateColumn

register = template.Library()

PLAIN_COLUMNS = (Column, DateColumn)  # rendered as their value, or a date (exact classes, not subclasses)
# What django-tables2 offers a column's render method (BoundRow._optional_cell_arguments).
ARGUMENTS = frozenset({"value", "record", "column", "bound_column", "bound_row", "table"})


def _td_attrs(column, *, first: bool) -> str:
    """The column's <td> attributes, and its name as data-label: on a phone each row is a card
    with every value under its column's name (app.css, .table-stack); the first cell is the title."""
    attrs = f" {column.attrs['td'].as_html()}" if column.attrs.get("td") else ""
    if not first:
        attrs += format_html(' data-label="{}"', column.header)
    return mark_safe(attrs)


def _plain_cell(table, bound_column):
    """record → cell, for a column that shows one field of the record as django-tables2 would (its
    choice's label, the default when empty, a link to the record's or the value's own page), or None
    when django-tables2 must render it: a render_<name> method, another column class, a custom
    link, or a value reached through a relation."""
    column = bound_column.column
    link = bound_column.link
    name = str(bound_column.accessor)
    if type(column) not in PLAIN_COLUMNS or hasattr(table, f"render_{bound_column.name}"):
        return None
    if link and (link.url or link.accessor or link.reverse_args or link.attrs):
        return None
    if "__" in name or "." in name or table._meta.model is None:
        return None
    try:
        field = table._meta.model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    # A choice's label, as get_<name>_display() gives it, translated once per table rather than
    # for every cell (Django rebuilds the choices, every label translated, at each call).
    labels = {code: str(label) for code, label in field.flatchoices} if getattr(field, "choices", None) else None
    attname = field.attname if labels is not None else name
    empty, render = column.empty_values, column.render

    def cell(record):
        value = getattr(record, attname)
        if labels is not None:
            value = labels.get(value, value)
        if value in empty:
            return bound_column.default  # read for each cell, as django-tables2 does (it may be callable)
        content = render(value)
        if link:
            target = value if hasattr(value, "get_absolute_url") else record
            return format_html('<a href="{}">{}</a>', target.get_absolute_url(), content)
        return content

    return cell


def _rendered_cell(bound_column):
    """row → cell for the other columns, as BoundRow.get_cell renders it (the value read, the
    default when empty, the render method, the link), with the arguments the render method takes
    worked out once per table: django-tables2 inspects its signature again at every cell. None when
    the method asks for an argument django-tables2 does not offer (it then renders nothing)."""
    render, link = bound_column.render, bound_column.link
    wanted, catch_all = signature(render)
    if not catch_all and not ARGUMENTS.issuperset(wanted):
        return None

    def cell(row):
        def call(bound_column, value=None):
            offered = row._optional_cell_arguments(bound_column, value)
            content = render(**(offered if catch_all else {name: offered[name] for name in wanted}))
            return link(content, **offered) if link else content

        # the default read for each cell, as django-tables2 does (a column's default may be callable)
        return row._get_and_render_with(bound_column, render_func=call, default=bound_column.default)

    return cell


@register.simple_tag(takes_context=True)
def table_rows(context, table) -> str:
    columns = list(table.columns)
    td_attrs = [_td_attrs(column, first=i == 0) for i, column in enumerate(columns)]
    plain = [_plain_cell(table, column) for column in columns]
    rendered = [None if read else _rendered_cell(column) for read, column in zip(plain, columns, strict=True)]
    html = []
    for row in table.paginated_rows:
        row_attrs = row.attrs.as_html()
        record = row.record
        cells = "".join(
            f'<td role="cell"{attrs}>{render_value_in_context(_cell(row, record, read, write, column), context)}</td>'
            for attrs, read, write, column in zip(td_attrs, plain, rendered, columns, strict=True)
        )
        html.append(f'<tr role="row"{" " + row_attrs if row_attrs else ""}>{cells}</tr>')
    if not html and table.empty_text:
        html.append(format_html('<tr><td colspan="{}">{}</td></tr>', len(columns), table.empty_text))
    return mark_safe("".join(html))


def _cell(row, record, read, write, column):
    if read:
        return read(record)
    return write(row) if write else row.get_cell(column.name)
