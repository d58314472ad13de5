"""The API's JSON: DRF's renderer, which also sends the rows that the database wrote as JSON texts
(crm/api/rows.py) as they are, joined into the page's list."""

import secrets

from rest_framework.renderers import JSONRenderer

from crm.api.rows import WrittenRows


class Renderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        written = {k: v for k, v in data.items() if isinstance(v, WrittenRows)} if isinstance(data, dict) else {}
        if not written:
            return super().render(data, accepted_media_type, renderer_context)
        # Each list is rendered as a mark of its own (a text found nowhere else), then put in its place.
        marks = {key: f"written-rows-{secrets.token_hex(16)}" for key in written}
        body = super().render(data | marks, accepted_media_type, renderer_context)
        for key, rows in written.items():
            body = body.replace(f'"{marks[key]}"'.encode(), b"[" + ",".join(rows).encode() + b"]", 1)
        return body
