from allauth.account.adapter import DefaultAccountAdapter


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
            self.authentication_failed(request, **credentials)
            return None
        return user
