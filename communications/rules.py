"""Object-level permissions of the engagement log (django-rules): own versus others' records.

Model permissions (who may log, who may remove) come from the roles in crm/accounts/roles.py; these rules
say which records a user may change.
"""

import rules

from crm.accounts.roles import Role


@rules.predicate
def is_manager(user):
    return user.is_authenticated and user.role in (Role.MANAGER, Role.ADMINISTRATOR)


@rules.predicate
def is_engagement_author(user, engagement):
    return engagement is not None and engagement.author_id == user.pk


@rules.predicate
def is_follow_up_owner_or_author(user, follow_up):
    return follow_up is not None and user.pk in (follow_up.owner_id, follow_up.engagement.author_id)


@rules.predicate
def is_record_author(user, record):
    return record is not None and record.author_id == user.pk


@rules.predicate
def can_see_referrals(user):
    return user.has_perm("communications.view_referral")


# Officers edit what they logged; managers edit anything.
rules.add_perm("communications.edit_engagement", is_engagement_author | is_manager)
# The owner or the engagement's author update a follow-up; a manager may too (and it is recorded).
rules.add_perm("communications.edit_follow_up", is_follow_up_owner_or_author | is_manager)
rules.add_perm("communications.edit_commitment", is_record_author | is_manager)
rules.add_perm("communications.edit_concern", is_record_author | is_manager)
