"""Attachment downloads from the desk."""

from relaydesk.tickets import services


def test_download_headers(client_for, agent, attached_ticket):
    attachment = attached_ticket.attachments.get()
    response = client_for(agent).get(f"/desk/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="log.txt"'
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"line 1\nline 2\n"


def test_html_upload_is_still_a_download(client_for, agent, ticket, upload):
    services.add_attachments(
        ticket, actor=agent, files=[upload("evil.html", b"<script>x</script>", "text/html")]
    )
    attachment = ticket.attachments.get()
    response = client_for(agent).get(f"/desk/attachments/{attachment.pk}/")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_unknown_attachment_is_404(client_for, agent, db):
    assert client_for(agent).get("/desk/attachments/424242/").status_code == 404
