"""Other apps register here what must move when two organizations or contacts are merged.

The engagement log adds a hook that moves engagements, commitments and concerns; keeping the
list here lets the registry merge without importing the apps that build on it.
"""

from collections.abc import Callable

ORGANIZATION_MERGE_HOOKS: list[Callable] = []
CONTACT_MERGE_HOOKS: list[Callable] = []
