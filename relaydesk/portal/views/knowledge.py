"""The public knowledge base: search, categories, FAQ, article pages, votes, and the live
suggestions beside the request form (with deflections counted when they answer)."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import trans_real
from django.views.decorators.http import require_GET, require_POST

from relaydesk.knowledge import queries, services
from relaydesk.knowledge.models import Category

MAX_QUERY_LENGTH = 200
OPENED_KEY = "kb_opened_suggestions"  # session: suggested articles opened from the form


def visitor_language(request) -> str | None:
    """The visitor's first choice of language (browser); articles fall back to their default."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in trans_real.parse_accept_lang_header(header):
        if code != "*":
            return code.lower()
    return None


def _session_key(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return request.session.session_key


@require_GET
def kb_home(request):
    language = visitor_language(request)
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    context = {
        "query": query,
        "hits": queries.search_articles(request.user, query, language, 20) if query else None,
        "categories": queries.categories(request.user),
        "faq": [] if query else queries.faq(request.user, language),
    }
    return render(request, "portal/kb_home.html", context)


@require_GET
def kb_category(request, slug):
    category = get_object_or_404(Category, slug=slug)
    hits = queries.articles_in_category(request.user, category, visitor_language(request))
    return render(request, "portal/kb_category.html", {"category": category, "hits": hits})


@require_GET
def kb_article(request, id, slug=""):
    article = queries.get_article(request.user, id)
    if not article.is_published:  # agents preview drafts in the desk, not here
        from django.http import Http404

        raise Http404("No such article")
    if slug != article.slug:
        return redirect("portal:kb_article", id=article.id, slug=article.slug)
    services.record_view(article)
    if request.GET.get("from") == "suggest":
        opened = request.session.get(OPENED_KEY, [])
        if article.id not in opened:
            request.session[OPENED_KEY] = [*opened, article.id][-10:]
    context = {
        "article": article,
        "translation": article.translation(visitor_language(request)),
        "voted": request.session.get(f"kb_voted_{article.id}"),
    }
    return render(request, "portal/kb_article.html", context)


@require_POST
def kb_vote(request, id):
    article = queries.get_article(request.user, id)
    helpful = request.POST.get("helpful") == "yes"
    services.vote(article, user=request.user, session_key=_session_key(request), helpful=helpful)
    request.session[f"kb_voted_{article.id}"] = "yes" if helpful else "no"
    if request.htmx:
        return render(request, "portal/_kb_vote.html", {"article": article, "voted": True})
    return redirect("portal:kb_article", id=article.id, slug=article.slug)


@require_GET
def kb_suggest(request):
    """Articles matching what is typed in the request form so far (an htmx fragment)."""
    text = " ".join(request.GET.get(name, "") for name in ("q", "subject", "description")).strip()
    hits = queries.suggest(request.user, text, visitor_language(request)) if text else []
    return render(request, "portal/_kb_suggestions.html", {"hits": hits, "text": text})


@require_POST
def kb_deflection(request):
    """Sent by the request form as the visitor leaves it without submitting: each suggested
    article they opened counts as a deflection (once per session)."""
    opened = request.session.pop(OPENED_KEY, [])
    if opened:
        key = _session_key(request)
        readable = queries.readable_articles(request.user).filter(id__in=opened)
        for article in readable:
            services.record_deflection(
                article, user=request.user, session_key=key, query=request.POST.get("q", "")
            )
    return HttpResponse(status=204)


def forget_opened_suggestions(request) -> None:
    """The visitor submitted the request after all: nothing was deflected."""
    request.session.pop(OPENED_KEY, None)
