"""Apply a macro on the ticket page: one POST, one service call, back to the ticket (PRG)."""

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relaydesk.automation import services as automation
from relaydesk.desk import forms
from relaydesk.desk.views.access import agent_required
from relaydesk.desk.views.actions import _invalid, _run, _ticket


@agent_required
@require_POST
def apply_macro(request, number: int):
    """The macro's reply and field changes land in the timeline like the agent's own."""
    ticket = _ticket(request, number)
    form = forms.MacroForm(request.POST, macros=list(automation.macros_for(request.user)))
    if not form.is_valid():
        return _invalid(request, ticket, form)
    macro = form.cleaned_data["macro"]

    def apply():
        try:
            automation.apply_macro(ticket, actor=request.user, macro=macro)
        except (ObjectDoesNotExist, ValueError) as exc:
            # A queue, type or agent the macro names is gone: nothing was changed (atomic).
            raise ValidationError(
                _("The macro names a queue, type or agent that no longer exists.")
            ) from exc

    return _run(request, ticket, apply, _("Macro “%(name)s” applied.") % {"name": macro.name})
