"""Read paths for the knowledge base: always filtered by what the reader may see.

Customers and anonymous visitors read published articles that are public or shared with
their organization; agents read everything, internal articles and drafts included. Search
hands the reader's article set to the index, so ranking and permissions meet in one query.
"""

from collections import OrderedDict
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from relaydesk.core import search
from relaydesk.core.pagination import Page, paginate
from relaydesk.knowledge.models import Article, ArticleTranslation, Category, Revision

SUGGEST_TEXT_MAX = 2000  # characters of subject + description used to suggest articles
FAQ_SIZE = 60
SORTS = {
    "updated": ("-updated_at", "-id"),
    "views": ("-view_count", "-id"),
}


def _reader_is_agent(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_agent)


def visible_articles(user) -> QuerySet[Article]:
    """The articles USER may open.

    Agents (and admins, supervisors): every article, whatever its status. Everybody else,
    signed in or not: published articles that are public, or shared with their organization.
    """
    qs = Article.objects.all()
    if _reader_is_agent(user):
        return qs
    audience = Q(visibility=Article.Visibility.PUBLIC)
    org_id = getattr(user, "organization_id", None) if user and user.is_authenticated else None
    if org_id is not None and user.is_active:
        shared = Article.organizations.through.objects.filter(organization_id=org_id)
        audience |= Q(
            visibility=Article.Visibility.ORGANIZATION, id__in=shared.values("article_id")
        )
    return qs.filter(audience, status=Article.Status.PUBLISHED)


def readable_articles(user) -> QuerySet[Article]:
    """What USER may find in lists, search and suggestions: published articles only (agents
    included: drafts and archived ones are found through the desk's own list)."""
    return visible_articles(user).filter(status=Article.Status.PUBLISHED)


def with_translations(qs: QuerySet[Article]) -> QuerySet[Article]:
    return qs.select_related("category").prefetch_related(
        Prefetch("translations", queryset=ArticleTranslation.objects.order_by("id"))
    )


def get_article(user, article_id: int) -> Article:
    """Article ARTICLE_ID if USER may open it; 404 otherwise (never 403: no leak)."""
    article = (
        with_translations(visible_articles(user))
        .select_related("author", "category__parent", "source_ticket")
        .filter(id=article_id)
        .first()
    )
    if article is None:
        raise Http404("No such article")
    return article


@dataclass
class Hit:
    article: Article
    translation: ArticleTranslation

    @property
    def title(self) -> str:
        return self.translation.title

    @property
    def excerpt(self) -> str:
        text = " ".join(self.translation.body_text.split())
        return text if len(text) <= 200 else text[:199].rsplit(" ", 1)[0] + "…"


def _hits(matches: list[tuple[int, int]], language: str | None, limit: int) -> list[Hit]:
    order: OrderedDict[int, None] = OrderedDict()
    for _doc, article_id in matches:
        order.setdefault(article_id, None)
    ids = list(order)[:limit]
    if not ids:
        return []
    articles = {a.id: a for a in with_translations(Article.objects.filter(id__in=ids))}
    hits = []
    for article_id in ids:
        article = articles.get(article_id)
        translation = article.translation(language) if article else None
        if translation is not None:
            hits.append(Hit(article, translation))
    return hits


def _scope(user, include_unpublished: bool):
    """The id subquery search is limited to, or None for 'everything' (agents' desk)."""
    if include_unpublished and _reader_is_agent(user):
        return None
    return readable_articles(user).values("id")


def search_articles(
    user,
    query: str,
    language: str | None = None,
    limit: int = 10,
    *,
    include_unpublished: bool = False,
) -> list[Hit]:
    """Articles USER may read that match QUERY, best first (title matches above body ones).

    Articles with every word first (the last word may be the start of a word, for search as
    you type), then those with some of them; only when nothing matches at all, a typo
    tolerant search. Each hit is shown in LANGUAGE when translated, else the default.
    """
    words = search.article_terms(query)
    if not words:
        return []
    within = _scope(user, include_unpublished)
    fetch = limit * 3  # translations of one article may take several places
    matches = search.matching_articles(query, within=within, limit=fetch, words=words)
    if len({a for _d, a in matches}) < limit and len(words) > 1:
        matches += search.matching_articles(
            query, within=within, limit=fetch, words=words, any_term=True
        )
    if not matches:
        matches = search.fuzzy_matching_articles(query, within=within, limit=fetch)
    return _hits(matches, language, limit)


def suggest(user, text: str, language: str | None = None, limit: int = 5) -> list[Hit]:
    """Articles to suggest for a request being written (subject and description so far).

    Long free text rarely has every word in one article, so any word counts and articles
    matching more of them, or matching in the title, rank higher.
    """
    text = (text or "")[:SUGGEST_TEXT_MAX]
    words = search.article_terms(text)
    if not words:
        return []
    within = _scope(user, False)
    matches = search.matching_articles(
        text, within=within, limit=limit * 3, words=words, any_term=True
    )
    if not matches:
        matches = search.fuzzy_matching_articles(text, within=within, limit=limit * 3)
    return _hits(matches, language, limit)


def suggest_for_ticket(ticket, user, limit: int = 5) -> list[Hit]:
    """Published articles USER may read that match a ticket's subject and first message."""
    first = ticket.messages.order_by("created_at", "id").values_list("body_text", flat=True)
    text = " ".join([ticket.subject, *first[:1]])
    return suggest(user, text, limit=limit)


@dataclass
class FaqSection:
    category: Category | None
    hits: list[Hit]


def faq(user, language: str | None = None, per_category: int = 5) -> list[FaqSection]:
    """The most opened public articles, grouped by category (most opened section first).

    Public only: this page is the same for everybody, so it can be linked and cached.
    """
    qs = readable_articles(user).filter(visibility=Article.Visibility.PUBLIC, view_count__gt=0)
    articles = with_translations(qs).order_by("-view_count", "-id")[:FAQ_SIZE]
    sections: OrderedDict[int | None, FaqSection] = OrderedDict()
    for article in articles:
        translation = article.translation(language)
        if translation is None:
            continue
        section = sections.setdefault(article.category_id, FaqSection(article.category, []))
        if len(section.hits) < per_category:
            section.hits.append(Hit(article, translation))
    return list(sections.values())


def categories(user) -> list[tuple[Category, int]]:
    """Categories (tree order) with how many articles USER may read in each."""
    from django.db.models import Count

    counts = dict(
        readable_articles(user)
        .filter(category__isnull=False)
        .values_list("category")
        .annotate(n=Count("id"))
        .order_by()
    )
    nodes = list(Category.objects.select_related("parent"))
    children: dict[int | None, list[Category]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[tuple[Category, int]] = []

    def walk(parent_id, depth, seen):
        for node in children.get(parent_id, []):
            if node.id in seen:
                continue
            seen.add(node.id)
            node.depth = depth
            ordered.append((node, counts.get(node.id, 0)))
            walk(node.id, depth + 1, seen)

    walk(None, 0, set())
    return ordered


def articles_in_category(
    user, category: Category, language: str | None = None, limit: int = 100
) -> list[Hit]:
    qs = with_translations(readable_articles(user).filter(category=category))
    hits = []
    for article in qs.order_by("-view_count", "-id")[:limit]:
        translation = article.translation(language)
        if translation is not None:
            hits.append(Hit(article, translation))
    return hits


def list_articles(
    user,
    *,
    status: str | None = None,
    category_id: int | None = None,
    sort: str = "updated",
    cursor: str | None = None,
    size: int = 50,
) -> Page[Article]:
    """One page of the articles USER may open (the desk's list). Raises BadCursor."""
    qs = visible_articles(user)
    if status:
        qs = qs.filter(status=status)
    if category_id is not None:
        qs = qs.filter(category_id=category_id)
    qs = with_translations(qs).select_related("author")
    return paginate(qs, SORTS.get(sort, SORTS["updated"]), cursor, size)


def revisions(article: Article, limit: int = 100) -> list[Revision]:
    return list(article.revisions.select_related("editor")[:limit])
