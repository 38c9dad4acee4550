"""A signed-in user's own settings: the name others see and the zone times are shown in."""

from django.core.exceptions import ValidationError

from relaydesk.accounts.models import User

PROFILE_FIELDS = ("full_name", "time_zone")


def update_profile(user: User, *, full_name: str, time_zone: str) -> User:
    """Set USER's name and time zone. Only these fields are checked and saved, so a user
    can change them but never their role, email or anything an admin controls.
    Raises ValidationError (keyed by field) and saves nothing when a value is invalid."""
    previous = {name: getattr(user, name) for name in PROFILE_FIELDS}
    user.full_name = full_name.strip()
    user.time_zone = time_zone.strip()
    exclude = [f.name for f in User._meta.concrete_fields if f.name not in PROFILE_FIELDS]
    try:
        user.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError:
        # The same object is request.user: leave it as it was so the page still shows the
        # saved values around the form's errors.
        for name, value in previous.items():
            setattr(user, name, value)
        raise
    user.save(update_fields=list(PROFILE_FIELDS))
    return user
