"""The request form: type, custom fields (htmx and no-JS), attachments, upload limit."""

import pytest

from relaydesk.tickets.models import Attachment, Message, Ticket


def form_data(ticket_type=None, **overrides):
    data = {
        "subject": "Screen flickers",
        "description": "Since this morning the screen flickers.",
        "priority": "3",
        "queue": "",
    }
    if ticket_type is not None:
        data["type"] = str(ticket_type.pk)
        data["fields_for"] = str(ticket_type.pk)
    data.update(overrides)
    return data


def test_form_lists_active_types_priorities_and_departments(
    client_for, customer, hardware, other_type, queue, other_queue
):
    other_type.is_active = False
    other_type.save()
    response = client_for(customer).get("/requests/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["type"].queryset) == [hardware]
    assert [c[1] for c in form.fields["priority"].choices] == ["Low", "Normal", "High", "Urgent"]
    assert form.fields["queue"].label == "Department"
    body = response.content.decode()
    assert 'hx-get="/requests/new/fields/"' in body
    assert 'enctype="multipart/form-data"' in body
    assert "multiple" in body  # attachments take several files
    assert "portal/new_request.html" in [t.name for t in response.templates]


def test_submit_opens_a_ticket_and_shows_its_number(client_for, customer, hardware, queue):
    client = client_for(customer)
    response = client.post(
        "/requests/new/", form_data(hardware, cf_asset_tag="A-77", cf_model="X2"), follow=True
    )
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == f"/requests/{ticket.number}/"
    assert f"Request {ticket.reference} received" in response.content.decode()
    assert ticket.requester == customer
    assert ticket.channel == Ticket.Channel.WEB
    assert ticket.ticket_type == hardware
    assert ticket.priority == Ticket.Priority.HIGH
    assert ticket.queue == queue  # no department chosen: the first queue
    assert ticket.organization == customer.organization
    assert ticket.custom == {"asset_tag": "A-77", "model": "X2"}
    assert ticket.messages.get().body_text == "Since this morning the screen flickers."


def test_chosen_department_is_used(client_for, customer, hardware, queue, other_queue):
    client_for(customer).post(
        "/requests/new/", form_data(hardware, cf_asset_tag="A-1", queue=str(other_queue.pk))
    )
    assert Ticket.objects.get().queue == other_queue


def test_internal_custom_fields_are_never_on_the_customer_form(client_for, customer, hardware):
    response = client_for(customer).get(f"/requests/new/?type={hardware.pk}")
    body = response.content.decode()
    assert 'name="cf_asset_tag"' in body
    assert "cf_cost_centre" not in body
    assert "Cost centre" not in body


def test_missing_required_custom_field_is_an_error_and_keeps_the_data(
    client_for, customer, hardware, queue
):
    response = client_for(customer).post("/requests/new/", form_data(hardware, cf_model="X1"))
    assert response.status_code == 200
    assert not Ticket.objects.exists()
    assert "cf_asset_tag" in response.context["form"].errors
    body = response.content.decode()
    assert 'value="Screen flickers"' in body
    assert "Since this morning the screen flickers." in body
    assert '<option value="X1" selected>' in body
    assert 'aria-invalid="true"' in body


@pytest.mark.parametrize("missing", ["subject", "description"])
def test_subject_and_description_are_required(client_for, customer, hardware, queue, missing):
    data = form_data(hardware, cf_asset_tag="A-1", **{missing: "  "})
    response = client_for(customer).post("/requests/new/", data)
    assert missing in response.context["form"].errors
    assert not Ticket.objects.exists()


def test_without_javascript_a_changed_type_comes_back_with_its_fields(
    client_for, customer, hardware, other_type, queue
):
    """The customer picked Hardware but the page still showed no type's fields (no htmx)."""
    data = form_data(hardware, fields_for="")
    response = client_for(customer).post("/requests/new/", data)
    assert response.status_code == 200
    assert not Ticket.objects.exists()
    body = response.content.decode()
    assert 'name="cf_asset_tag"' in body  # Hardware's fields are now on the page
    assert response.context["fields_pending"]
    assert "Asset tag" in body
    assert 'value="Screen flickers"' in body  # nothing typed is lost
    assert f'<input type="hidden" name="fields_for" value="{hardware.pk}"' in body
    # Filling them in and sending again works.
    data.update(fields_for=str(hardware.pk), cf_asset_tag="A-9")
    response = client_for(customer).post("/requests/new/", data)
    assert response.status_code == 302
    assert Ticket.objects.get().custom["asset_tag"] == "A-9"


def test_without_javascript_optional_fields_are_shown_before_saving(
    client_for, customer, hardware, other_type, queue
):
    data = form_data(other_type, fields_for=str(hardware.pk))
    response = client_for(customer).post("/requests/new/", data)
    assert response.status_code == 200
    assert 'name="cf_system"' in response.content.decode()
    assert not Ticket.objects.exists()


def test_fields_partial_for_htmx(client_for, customer, hardware, other_type):
    client = client_for(customer)
    response = client.get(f"/requests/new/fields/?type={hardware.pk}", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # a fragment, not a page
    assert 'name="cf_asset_tag"' in body
    assert "cf_cost_centre" not in body
    assert f'name="fields_for" value="{hardware.pk}"' in body
    assert [t.name for t in response.templates][0] == "portal/_custom_fields.html"
    other = client.get(f"/requests/new/fields/?type={other_type.pk}").content.decode()
    assert 'name="cf_system"' in other and "cf_asset_tag" not in other
    empty = client.get("/requests/new/fields/?type=nonsense").content.decode()
    assert "cf_" not in empty


def test_submit_with_attachments(client_for, customer, hardware, queue, upload):
    data = form_data(hardware, cf_asset_tag="A-1")
    data["attachments"] = [upload("one.png"), upload("two.txt", content_type="text/plain")]
    response = client_for(customer).post("/requests/new/", data)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    files = Attachment.objects.filter(ticket=ticket).order_by("filename")
    assert [f.filename for f in files] == ["one.png", "two.txt"]
    assert all(f.message_id == ticket.messages.get().id for f in files)


def test_oversized_upload_is_a_clear_error_and_nothing_is_saved(
    client_for, customer, hardware, queue, upload, settings
):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    data = form_data(hardware, cf_asset_tag="A-1")
    data["attachments"] = [upload("huge.png", size=2 * 1024 * 1024)]
    response = client_for(customer).post("/requests/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors["attachments"]
    assert "huge.png" in errors[0] and "at most 1 MB" in errors[0]
    body = response.content.decode()
    assert 'id="id_attachments_error"' in body  # next to the field
    assert 'value="Screen flickers"' in body  # the rest is kept
    assert 'value="A-1"' in body
    assert "choose them again" in body
    assert not Ticket.objects.exists()
    assert not Message.objects.exists()
    assert not Attachment.objects.exists()


def test_agents_are_sent_to_the_desk(client_for, agent, hardware, queue):
    """Portal request pages are for customers: an agent is redirected to the desk."""
    client = client_for(agent)
    assert client.get("/requests/new/")["Location"] == "/desk/"
    response = client.post("/requests/new/", form_data(hardware, cf_asset_tag="A-1"))
    assert response["Location"] == "/desk/"
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_anonymous_visitors_are_asked_to_sign_in(client):
    response = client.get("/requests/new/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/requests/new/"
