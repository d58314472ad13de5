"""The datasets that can be exported, each with its list filters and base rows (CONTRACT.md).

Later issues add engagements, follow-ups, commitments, concerns and campaigns here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from crm.exports import Dataset


@dataclass
class ExportSpec:
    dataset: Dataset
    filterset_class: type
    queryset: Callable  # the rows before filtering (a selector)


def export_datasets() -> dict[str, ExportSpec]:
    from stakeholders.exports import CONTACTS, ORGANIZATIONS
    from stakeholders.filters import ContactFilter, OrganizationFilter
    from stakeholders.selectors import contact_list, organization_list

    return {
        "organizations": ExportSpec(ORGANIZATIONS, OrganizationFilter, organization_list),
        "contacts": ExportSpec(CONTACTS, ContactFilter, contact_list),
    }
