from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        """No public sign-up: administrators invite users from the user-management page."""
        return False

    def authenticate(self, request, **credentials):
        """A deactivated account gets the same answer as a wrong password.

        allauth would otherwise show "This account is inactive", which tells whoever holds the
        password that the account exists.
        """
        user = super().authenticate(request, **credentials)
        if user is not None and not user.is_active:
            # allauth gave back the failed-attempt count because the password was right: count
            # this attempt again, so guesses against a deactivated account are rate-limited too.
            self.pre_authenticate(request, **credentials)
            return None
        return user


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """A user whose role requires two-factor cannot switch it off."""
        return authenticator.user.role not in settings.MFA_REQUIRED_ROLES
