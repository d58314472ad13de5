import os

from django.core.checks import Warning, register


@register(deploy=True)
def secret_key_from_environment(app_configs, **kwargs):
    """Several app servers need one SECRET_KEY; a key generated per machine breaks their sessions."""
    if os.environ.get("SECRET_KEY"):
        return []
    return [
        Warning(
            "SECRET_KEY is not set: a key was generated into var/secret_key on this machine.",
            hint="Set SECRET_KEY in the environment (the same on every app server).",
            id="crm.W001",
        )
    ]
