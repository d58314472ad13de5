"""One entry point for the web page and the command: read, preview, and (if asked) write."""

from stakeholders.imports.preview import ImportPreview, build_preview
from stakeholders.imports.reading import read_table
from stakeholders.imports.writing import ImportSummary, write_import


def preview_file(data: bytes, filename: str, kind: str | None = None) -> ImportPreview:
    """Raises ImportFileError when the file as a whole cannot be read."""
    return build_preview(read_table(data, filename), kind)


def import_file(
    data: bytes, filename: str, *, kind: str | None = None, actor=None
) -> tuple[ImportPreview, ImportSummary | None]:
    preview = preview_file(data, filename, kind)
    if not preview.is_valid:
        return preview, None
    return preview, write_import(preview, actor=actor, source=filename)
