import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relaydesk.tickets import services
from relaydesk.tickets.models import Ticket


@pytest.fixture
def upload():
    def make(name="notes.txt", content=b"hello", content_type="text/plain"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return make


@pytest.fixture
def attached_ticket(ticket, customer, upload):
    """The `ticket` with a public reply carrying one file."""
    services.post_message(
        ticket,
        actor=customer,
        body="Here is the log.",
        channel=Ticket.Channel.WEB,
        attachments=[upload("log.txt", b"line 1\nline 2\n")],
    )
    return ticket
