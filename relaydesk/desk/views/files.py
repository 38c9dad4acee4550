"""Attachment downloads: only for agents who may see the ticket, always as a download."""

from django.http import FileResponse, Http404

from relaydesk.desk.views.access import agent_required
from relaydesk.tickets import queries


@agent_required
def download_attachment(request, attachment_id: int):
    attachment = queries.get_attachment(request.user, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing from storage.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type or "application/octet-stream",
    )
    # Never let a browser render an uploaded file as a page, whatever it claims to be.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
