"""No portal page changes anything on GET."""

import pytest

PAGES = [
    "/",
    "/login/",
    "/signup/",
    "/password-reset/",
    "/password-reset/sent/",
    "/password-reset/MQ/set-password/",
    "/requests/",
    "/requests/?scope=org&status=closed",
    "/requests/new/",
    "/requests/new/fields/?type={type}",
    "/requests/{number}/",
    "/requests/{number}/reply/",
    "/requests/{number}/status/?status=closed",
    "/requests/{number}/files/",
    "/attachments/{attachment}/",
    "/logout/",
]


@pytest.mark.parametrize("persona", ["customer", "org_manager", "agent", None])
def test_get_never_changes_state(request, client, client_for, persona, ticket, hardware, upload,
                                 state_snapshot):  # fmt: skip
    from relaydesk.tickets import services

    (attachment,) = services.add_attachments(ticket, actor=ticket.requester, files=[upload()])
    user = request.getfixturevalue(persona) if persona else None
    browser = client_for(user) if user else client
    before = state_snapshot()
    for page in PAGES:
        url = page.format(number=ticket.number, type=hardware.pk, attachment=attachment.id)
        response = browser.get(url)
        assert response.status_code in (200, 302, 405), url
    assert state_snapshot() == before
    if user:
        assert "_auth_user_id" in browser.session  # GET /logout/ did not sign out
