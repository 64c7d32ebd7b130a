"""Accounts the learner linked through Open edX's third-party auth (python-social-auth)."""


def linked_forge_accounts(learner_id, providers):
    """The learner's accounts linked through third-party auth (python-social-auth).

    [{"provider", "uid", "username"}] for the given backend names; [] where the
    site has no third-party auth (the workbench) or the learner id is not a user id.
    """
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    if not apps.is_installed("social_django") or not str(learner_id).isdigit():
        return []
    from social_django.models import UserSocialAuth  # pylint: disable=import-outside-toplevel
    links = UserSocialAuth.objects.filter(user_id=int(learner_id), provider__in=providers)
    return [{"provider": link.provider, "uid": str(link.uid),
             "username": str((link.extra_data or {}).get("login")
                             or (link.extra_data or {}).get("username") or "")[:100]}
            for link in links]

def has_third_party_auth():
    """Can learners have linked forge accounts here (python-social-auth installed)?"""
    from django.apps import apps  # pylint: disable=import-outside-toplevel
    return apps.is_installed("social_django")
