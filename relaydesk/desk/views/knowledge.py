"""The knowledge base in the desk: the article list, writing and editing articles (one
language version at a time, with the revision history), publishing and archiving,
"turn into article" from a ticket message, and the ticket page's article box (suggestions
and a search whose results insert a link into the reply).

Reads go through `knowledge.queries` (agents see drafts and internal articles), writes
through `knowledge.services`; every mutating view is a POST.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from relaydesk.accounts.models import Organization
from relaydesk.core.pagination import BadCursor
from relaydesk.desk.forms import add_service_errors
from relaydesk.desk.knowledge_forms import ArticleFilterForm, ArticleForm, TranslationPickerForm
from relaydesk.desk.views.access import agent_required
from relaydesk.knowledge import queries, services
from relaydesk.knowledge.models import Article, Category
from relaydesk.tickets import queries as ticket_queries

SEARCH_LIMIT = 50
LINK_RESULTS = 8
MAX_QUERY_LENGTH = 200
STATUS_SERVICES = {
    Article.Status.PUBLISHED: services.publish,
    Article.Status.ARCHIVED: services.archive,
    Article.Status.DRAFT: services.unpublish,
}


def _categories() -> list[Category]:
    return list(Category.objects.only("id", "name", "parent_id"))


def _organizations() -> list[Organization]:
    return list(Organization.objects.only("id", "name").order_by("name"))


def _edit_url(article: Article, language: str | None = None) -> str:
    url = reverse("desk:kb_edit", args=[article.pk])
    if language and language != article.default_language:
        url += "?" + urlencode({"lang": language})
    return url


def _portal_url(request, article: Article) -> str:
    return request.build_absolute_uri(
        reverse("portal:kb_article", kwargs={"id": article.pk, "slug": article.slug})
    )


def _url_with(base: str, params) -> str:
    query = params.urlencode()
    return f"{base}?{query}" if query else base


# --- the list --------------------------------------------------------------------------------


@agent_required
@require_GET
def article_list(request):
    """Every article the agent may open (drafts, archived and internal ones included):
    newest change first in keyset pages, or the best matches of a search."""
    user = request.user
    categories = _categories()
    form = ArticleFilterForm(request.GET, categories=categories)
    data = form.valid_data()
    query = " ".join(data.get("q", "").split())[:MAX_QUERY_LENGTH]
    cursor = request.GET.get("cursor") or None
    next_url = ""
    if query:
        hits = queries.search_articles(user, query, limit=SEARCH_LIMIT, include_unpublished=True)
        articles = [
            h.article
            for h in hits
            if (not data.get("status") or h.article.status == data["status"])
            and (data.get("category") is None or h.article.category_id == data["category"])
        ]
        prefetch_related_objects(articles, "author")
    else:
        try:
            page = queries.list_articles(
                user,
                status=data.get("status"),
                category_id=data.get("category"),
                sort=data.get("sort") or "updated",
                cursor=cursor,
                size=settings.PAGE_SIZE,
            )
        except BadCursor:
            first = request.GET.copy()
            first.pop("cursor", None)
            context = {"first_url": _url_with(reverse("desk:kb_list"), first)}
            return render(request, "desk/bad_cursor.html", context, status=400)
        articles = page.items
        if page.next_cursor:
            params = request.GET.copy()
            params["cursor"] = page.next_cursor
            next_url = _url_with(reverse("desk:kb_list"), params)
    first = request.GET.copy()
    first.pop("cursor", None)
    context = {
        "form": form,
        "articles": articles,
        "query": query,
        "next_url": next_url,
        "first_url": _url_with(reverse("desk:kb_list"), first) if cursor else "",
    }
    return render(request, "desk/kb_list.html", context)


# --- writing and editing ---------------------------------------------------------------------


def _save_settings_kwargs(form: ArticleForm, actor) -> dict:
    data = form.cleaned_data
    category = None
    if data.get("category") is not None:
        category = Category.objects.filter(pk=data["category"]).first()
    return {
        "category": category,
        "tags": services.tags_named(actor, data["tags"]),
        "visibility": data["visibility"],
        "organizations": form.chosen_organizations(),
    }


@agent_required
def article_new(request):
    form_kwargs = {"categories": _categories(), "organizations": _organizations()}
    if request.method == "POST":
        form = ArticleForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    article = services.create_article(
                        actor=request.user,
                        title=data["title"],
                        body=data["body"],
                        body_is_html=data["body_format"] == "html",
                        language=data["language"],
                        status=data["status"],
                        **_save_settings_kwargs(form, request.user),
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Article created."))
                return redirect(_edit_url(article))
        status = 400
    else:
        initial = {
            "visibility": Article.Visibility.PUBLIC,
            "status": Article.Status.DRAFT,
            "body_format": "html",
        }
        form = ArticleForm(initial=initial, **form_kwargs)
        status = 200
    return render(request, "desk/kb_edit.html", {"form": form, "article": None}, status=status)


@dataclass
class RevisionRow:
    revision: object
    changes: list[str]

    @property
    def status_label(self) -> str:
        try:
            return str(Article.Status(self.revision.status).label)
        except ValueError:
            return self.revision.status


def _describe_changes(changed: list[str]) -> list[str]:
    labels = {
        "created": _("created"),
        "title": _("title"),
        "body": _("body"),
        "status": _("status"),
        "category": _("category"),
        "tags": _("tags"),
        "visibility": _("visibility"),
        "organizations": _("organizations"),
        "default_language": _("default language"),
    }
    out = []
    for name in changed:
        if name.startswith("translation:"):
            out.append(_("new version: %(lang)s") % {"lang": name.split(":", 1)[1]})
        else:
            out.append(labels.get(name, name))
    return out


def _edit_language(request, article: Article) -> str:
    raw = (request.POST.get("language") if request.method == "POST" else None) or (
        request.GET.get("lang") or ""
    )
    picker = TranslationPickerForm({"lang": raw.strip().lower()})
    return picker.cleaned_data["lang"] if picker.is_valid() else article.default_language


def _save_article(request, article: Article, form: ArticleForm, language: str) -> Article:
    """One save of the edit form: content and settings, then the status (one transaction,
    so a refused status change leaves the text unsaved too and the form says why)."""
    data = form.cleaned_data
    with transaction.atomic():
        article = services.update_article(
            article,
            actor=request.user,
            language=language,
            title=data["title"],
            body=data["body"],
            body_is_html=data["body_format"] == "html",
            default_language=data.get("default_language") or None,
            note=data["note"],
            **_save_settings_kwargs(form, request.user),
        )
        if data["status"] != article.status:
            article = STATUS_SERVICES[data["status"]](article, actor=request.user)
    return article


@agent_required
def article_edit(request, article_id: int):
    article = queries.get_article(request.user, article_id)
    language = _edit_language(request, article)
    versions = {t.language: t for t in article.translations.all()}
    translation = versions.get(language)
    languages = sorted({*versions, language})
    form_kwargs = {
        "categories": _categories(),
        "organizations": _organizations(),
        "languages": languages,
        "editing": True,
    }
    status = 200
    if request.method == "POST":
        form = ArticleForm(request.POST, **form_kwargs)
        if form.is_valid():
            try:
                _save_article(request, article, form, language)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Article saved."))
                return redirect(_edit_url(article, language))
        status = 400
    else:
        form = ArticleForm(
            initial={
                "title": translation.title if translation else "",
                "body": translation.body_html if translation else "",
                "body_format": "html",
                "language": language,
                "default_language": article.default_language,
                "category": article.category_id,
                "tags": ", ".join(t.name for t in article.tags.all()),
                "visibility": article.visibility,
                "organizations": list(article.organizations.values_list("id", flat=True)),
                "status": article.status,
            },
            **form_kwargs,
        )
    context = {
        "form": form,
        "article": article,
        "language": language,
        "translation": translation,
        "versions": sorted(versions.values(), key=lambda t: t.language),
        "picker": TranslationPickerForm(initial={"lang": ""}),
        "revisions": [
            RevisionRow(r, _describe_changes(r.changed)) for r in queries.revisions(article)
        ],
        "portal_url": _portal_url(request, article) if article.is_published else "",
    }
    return render(request, "desk/kb_edit.html", context, status=status)


def _change_status(request, article_id: int, service, done: str):
    article = queries.get_article(request.user, article_id)
    service(article, actor=request.user)
    messages.success(request, done)
    return redirect(_edit_url(article))


@agent_required
@require_POST
def article_publish(request, article_id: int):
    return _change_status(request, article_id, services.publish, _("Article published."))


@agent_required
@require_POST
def article_archive(request, article_id: int):
    return _change_status(request, article_id, services.archive, _("Article archived."))


# --- from the ticket page --------------------------------------------------------------------


@agent_required
@require_POST
def article_from_message(request, number: int, message_id: int):
    """'Turn into article': the message becomes an internal draft; edit it next."""
    ticket = ticket_queries.get_ticket(request.user, number)
    message = ticket.messages.filter(pk=message_id).select_related("ticket").first()
    if message is None:
        raise Http404("No such message")
    try:
        article = services.article_from_message(message, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("desk:ticket", number=ticket.number)
    messages.success(
        request, _("A draft article was made from the message: review it before publishing.")
    )
    return redirect(_edit_url(article))


@dataclass
class LinkHit:
    hit: queries.Hit
    url: str


def _link_hits(request, hits) -> list[LinkHit]:
    return [LinkHit(h, _portal_url(request, h.article)) for h in hits]


@agent_required
@require_GET
def ticket_suggestions(request, number: int):
    """The ticket page's 'Suggested articles' box (loaded by htmx after the page, so a slow
    search never delays the ticket itself)."""
    ticket = ticket_queries.get_ticket(request.user, number)
    hits = queries.suggest_for_ticket(ticket, request.user)
    context = {"ticket": ticket, "links": _link_hits(request, hits)}
    return render(request, "desk/_kb_ticket_suggestions.html", context)


@agent_required
@require_GET
def link_search(request):
    """Published articles matching Q, each with a button that inserts its portal link."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    hits = queries.search_articles(request.user, query, limit=LINK_RESULTS) if query else []
    context = {"links": _link_hits(request, hits), "query": query}
    return render(request, "desk/_kb_link_results.html", context)
