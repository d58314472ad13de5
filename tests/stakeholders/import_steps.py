"""The import page's steps, as a user takes them: upload, then the columns page (its guesses kept,
or some changed), then the preview."""

from django.core.files.uploadedfile import SimpleUploadedFile


def upload(client, name: str, content: bytes, kind: str = "", **headers):
    return client.post("/stakeholders/import/", {"file": SimpleUploadedFile(name, content), "kind": kind}, **headers)


def column_choices(client, columns_url: str, **headers) -> dict[str, str]:
    """Header → the field the columns page offers for it ("" when it offers none)."""
    form = client.get(columns_url, **headers).context["form"]
    return {form.fields[name].label: form[name].value() or "" for name in form.fields}


def map_columns(client, columns_url: str, changes: dict[str, str] | None = None, **headers):
    """Send the columns page as guessed, with `changes` (header → field, or "-" to leave out).
    Returns the response: a redirect to the preview when the mapping is taken."""
    form = client.get(columns_url, **headers).context["form"]
    changes = changes or {}
    data = {name: changes.get(str(form.fields[name].label), form[name].value() or "") for name in form.fields}
    return client.post(columns_url, data, **headers)


def preview_url(client, name: str, content: bytes, kind: str = "", changes: dict | None = None, **headers) -> str:
    """Upload a file and take its columns as guessed (or changed): the preview's address."""
    columns_url = upload(client, name, content, kind, **headers)["Location"]
    response = map_columns(client, columns_url, changes, **headers)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]
