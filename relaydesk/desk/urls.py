from django.urls import path

from relaydesk.desk.views import actions, calls, files, people, ticket, ticket_list

app_name = "desk"
urlpatterns = [
    path("", ticket_list.ticket_list, name="list"),
    path("tickets/<int:number>/", ticket.ticket_detail, name="ticket"),
    path("tickets/<int:number>/messages/", actions.post_message, name="post_message"),
    path("tickets/<int:number>/status/", actions.change_status, name="change_status"),
    path("tickets/<int:number>/fields/", actions.update_fields, name="update_fields"),
    path("tickets/<int:number>/assign/", actions.assign, name="assign"),
    path("tickets/<int:number>/escalate/", actions.escalate, name="escalate"),
    path("tickets/<int:number>/share/", actions.share, name="share"),
    path("tickets/<int:number>/unshare/", actions.unshare, name="unshare"),
    path("tickets/<int:number>/files/", actions.attach_files, name="attach_files"),
    path("calls/new/", calls.new_call, name="new_call"),
    path("attachments/<int:attachment_id>/", files.download_attachment, name="attachment"),
    path("people/", people.people, name="people"),
]
