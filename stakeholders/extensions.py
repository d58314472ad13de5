"""Where the apps that build on the registry plug in, so that the registry never imports them.

- ORGANIZATION_MERGE_HOOKS / CONTACT_MERGE_HOOKS: called with survivor= and duplicate= when two
  records are merged (the engagement log moves engagements, commitments and concerns).
- ORGANIZATION_PAGE_CONTEXT: called with (request, organization); each returns extra template
  context for the organization's page (the engagement log adds the timeline and its registers).
- CONTACT_PAGE_CONTEXT: the same for a contact's page (the engagements they attended).
"""

from collections.abc import Callable

ORGANIZATION_MERGE_HOOKS: list[Callable] = []
CONTACT_MERGE_HOOKS: list[Callable] = []
ORGANIZATION_PAGE_CONTEXT: list[Callable] = []
CONTACT_PAGE_CONTEXT: list[Callable] = []
