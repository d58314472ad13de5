"""The datasets that can be exported (CONTRACT.md), each with its list filters and base rows: what the
`export` command and the export log read. This room imports both apps; the apps never import it."""

from collections.abc import Callable
from dataclasses import dataclass

from crm.lib.exports import Dataset


@dataclass
class ExportSpec:
    dataset: Dataset
    filterset_class: type
    queryset: Callable  # the rows before filtering: a selector called with user=None


def export_datasets() -> dict[str, ExportSpec]:
    from communications import exports as comms
    from communications import filters as comm_filters
    from communications import selectors as comm_selectors
    from communications.filters import CampaignFilter
    from communications.models import Campaign
    from stakeholders.exports import CONTACTS, ORGANIZATIONS
    from stakeholders.filters import ContactFilter, OrganizationFilter
    from stakeholders.selectors import contact_list, organization_list

    return {
        "organizations": ExportSpec(ORGANIZATIONS, OrganizationFilter, organization_list),
        "contacts": ExportSpec(CONTACTS, ContactFilter, contact_list),
        "engagements": ExportSpec(comms.ENGAGEMENTS, comm_filters.EngagementFilter, comm_selectors.engagement_list),
        "follow-ups": ExportSpec(comms.FOLLOW_UPS, comm_filters.FollowUpFilter, comm_selectors.follow_up_list),
        "commitments": ExportSpec(comms.COMMITMENTS, comm_filters.CommitmentFilter, comm_selectors.commitment_list),
        # Without a signed-in user the command sees no referral (they are for those allowed only).
        "concerns": ExportSpec(comms.CONCERNS, comm_filters.ConcernFilter, comm_selectors.concern_list),
        "campaigns": ExportSpec(comms.CAMPAIGNS, CampaignFilter, lambda user=None: Campaign.objects.all()),
    }
