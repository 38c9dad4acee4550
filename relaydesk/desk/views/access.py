"""Who may use the desk: signed-in agents (admins and supervisors are agents too)."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def agent_required(view):
    """Anonymous visitors go to the login page; customers get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if not user.is_agent:
            raise PermissionDenied("The desk is for agents.")
        return view(request, *args, **kwargs)

    return wrapper
