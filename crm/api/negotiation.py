"""How a response's format is chosen: `?format=` picks one of the view's renderers when it names
one, and is otherwise ignored. DRF answers 404 to a format it does not know, on every URL of the
API, which a client's query (or the schema's own tests) meets as an undocumented status."""

from rest_framework.negotiation import DefaultContentNegotiation


class KnownFormatOnly(DefaultContentNegotiation):
    def filter_renderers(self, renderers, format):
        return [renderer for renderer in renderers if renderer.format == format] or renderers
