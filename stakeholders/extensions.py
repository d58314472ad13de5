"""Where the apps that build on the registry plug in, so that the registry never imports them.

- ORGANIZATION_MERGE_HOOKS / CONTACT_MERGE_HOOKS: called with survivor= and duplicate= when two
  records are merged (the engagement log moves engagements, commitments and concerns).
- ORGANIZATION_DELETE_HOOKS: called with organization= inside the transaction that deletes it,
  before the deletion (a campaign's kept audience that held it is counted again).
- ORGANIZATION_PAGE_CONTEXT: called with (request, organization); each returns extra template
  context for the organization's page (the engagement log adds the timeline and its registers).
- CONTACT_PAGE_CONTEXT: the same for a contact's page (the engagements they attended).
- ORGANIZATIONS_ENGAGED: at most one callable (params, request) returning the ids of the
  organizations met at held engagements matching `params` (the engagement list's filter names), or
  None when no filter is given. The organization list's engaged_* filters use it.
- ORGANIZATIONS_IN_AUDIENCE: at most one callable (campaign_id) returning the ids of the
  organizations in that campaign's audience (none for an unknown campaign). The organization
  list's campaign_audience filter uses it.
- PERSON_ERASURE_HOOKS: called with contact_ids= (a list) and words= (their names, addresses and
  phones as they were) inside the transaction that erases those people on request
  (personal_data.erase_contacts): what others keep of them goes too (the webhooks' delivery log
  takes their names out; export files are withdrawn and the export log's filters lose those words).
- ORGANIZATIONS_CHANGED: called with the ids of organizations whose type, influence or archiving
  may have changed (the engagement log keeps copies of them in the dashboard's roll-ups). Call it
  through `organizations_changed`, inside the write's transaction.

Without an app filling them, those filters match no organization.
"""

from collections.abc import Callable, Iterable

ORGANIZATION_MERGE_HOOKS: list[Callable] = []
CONTACT_MERGE_HOOKS: list[Callable] = []
ORGANIZATION_DELETE_HOOKS: list[Callable] = []
ORGANIZATION_PAGE_CONTEXT: list[Callable] = []
CONTACT_PAGE_CONTEXT: list[Callable] = []
ORGANIZATIONS_ENGAGED: list[Callable] = []
ORGANIZATIONS_IN_AUDIENCE: list[Callable] = []
PERSON_ERASURE_HOOKS: list[Callable] = []
ORGANIZATIONS_CHANGED: list[Callable] = []


def organizations_changed(organization_ids: Iterable[int]) -> None:
    ids = list(organization_ids)
    for hook in ORGANIZATIONS_CHANGED:
        hook(ids)
