"""THE write path for the knowledge base: desk, portal, API and admin call these functions.

Only agents write articles. Each change to an article's content or status leaves a
`Revision` (who, when, which fields, the resulting title and body) and keeps the full-text
index current in the same transaction, so a published article is searchable at once.
Votes, views and deflections come from readers and are checked against what they may read.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relaydesk.accounts.models import Organization, User
from relaydesk.core import events, search
from relaydesk.core.html import html_to_text, sanitize_html, text_to_html
from relaydesk.knowledge.models import (
    Article,
    ArticleTranslation,
    Category,
    Deflection,
    Revision,
    Tag,
    Vote,
    validate_language,
)
from relaydesk.tickets.models import Message

TITLE_MAX = 200
_UNSET = object()


def _require_agent(actor: User | None) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active or not actor.is_agent:
        raise PermissionDenied(_("Only agents can write knowledge base articles."))


def _require_readable(user, article: Article) -> None:
    from relaydesk.knowledge.queries import visible_articles

    if not visible_articles(user).filter(id=article.id).exists():
        raise PermissionDenied(_("You cannot read this article."))


def _clean_content(title: str, body: str, *, is_html: bool) -> tuple[str, str, str]:
    """(title, sanitized html, text); raises ValidationError naming the field."""
    title = " ".join((title or "").split())
    errors = {}
    if not title:
        errors["title"] = _("An article needs a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("Keep the title under %(max)d characters.") % {"max": TITLE_MAX}
    body_html = sanitize_html(body) if is_html else text_to_html(body)
    body_text = html_to_text(body_html)
    if errors:
        raise ValidationError(errors)
    return title, body_html, body_text


def _clean_language(language: str | None) -> str:
    language = (language or settings.LANGUAGE_CODE).strip().lower()
    try:
        validate_language(language)
    except ValidationError as error:
        raise ValidationError({"language": error.messages}) from error
    return language


def _index(translation: ArticleTranslation) -> None:
    search.index_article(
        translation.id,
        translation.article_id,
        translation.language,
        translation.title,
        translation.body_text,
    )


def _revise(article, translation, actor, changed, note="") -> Revision:
    return Revision.objects.create(
        article=article,
        language=translation.language,
        editor=actor,
        changed=changed,
        title=translation.title,
        body_html=translation.body_html,
        status=article.status,
        note=note,
    )


def _publish_event(name: str, article: Article, actor: User | None) -> None:
    events.publish(name, {"article_id": article.id, "actor_id": actor.id if actor else None})


def tags_named(actor: User, names: Iterable[str]) -> list[Tag]:
    """The tags called NAMES (matched by slug), creating the missing ones: agents tag as they
    write, without a trip to the admin."""
    _require_agent(actor)
    by_slug: dict[str, str] = {}
    for name in names:
        name = " ".join((name or "").split())[:50]
        slug = slugify(name)[:50]
        if slug:
            by_slug.setdefault(slug, name)
    existing = {t.slug: t for t in Tag.objects.filter(slug__in=by_slug)}
    for slug, name in by_slug.items():
        if slug not in existing:
            existing[slug], _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return [existing[slug] for slug in by_slug]


def _set_relations(article, organizations, tags) -> None:
    if organizations is not _UNSET:
        article.organizations.set(list(organizations or []))
    if tags is not _UNSET:
        article.tags.set(list(tags or []))


def _check_visibility(visibility: str, organizations) -> None:
    if visibility not in Article.Visibility.values:
        raise ValidationError({"visibility": _("Unknown visibility.")})


@transaction.atomic
def create_article(
    *,
    actor: User,
    title: str,
    body: str,
    body_is_html: bool = True,
    language: str | None = None,
    category: Category | None = None,
    tags: Iterable[Tag] = (),
    visibility: str = Article.Visibility.PUBLIC,
    organizations: Iterable[Organization] = (),
    status: str = Article.Status.DRAFT,
    source_ticket=None,
    source_message: Message | None = None,
) -> Article:
    """A new article with its first translation (its default language) and first revision."""
    _require_agent(actor)
    title, body_html, body_text = _clean_content(title, body, is_html=body_is_html)
    language = _clean_language(language)
    _check_visibility(visibility, organizations)
    if status not in Article.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    now = timezone.now()
    article = Article.objects.create(
        status=status,
        visibility=visibility,
        category=category,
        default_language=language,
        author=actor,
        source_ticket=source_ticket,
        source_message=source_message,
        created_at=now,
        updated_at=now,
        published_at=now if status == Article.Status.PUBLISHED else None,
    )
    _set_relations(article, organizations, tags)
    translation = ArticleTranslation.objects.create(
        article=article,
        language=language,
        title=title,
        body_html=body_html,
        body_text=body_text,
        updated_at=now,
    )
    _index(translation)
    _revise(article, translation, actor, ["created"], note=_("Created"))
    _publish_event("article.created", article, actor)
    return article


@transaction.atomic
def update_article(
    article: Article,
    *,
    actor: User,
    language: str | None = None,
    title: str | None = None,
    body: str | None = None,
    body_is_html: bool = True,
    category=_UNSET,
    tags=_UNSET,
    visibility: str | None = None,
    organizations=_UNSET,
    default_language: str | None = None,
    note: str = "",
) -> Article:
    """Change an article's text (in LANGUAGE, creating that translation when new) or its
    settings. A revision records which fields changed; nothing changed, nothing recorded."""
    _require_agent(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    language = _clean_language(language or article.default_language)
    changed: list[str] = []
    translation = article.translations.filter(language=language).first()
    if title is not None or body is not None or translation is None:
        new_title = title if title is not None else (translation.title if translation else "")
        if body is not None:
            new_body, is_html = body, body_is_html
        else:
            new_body, is_html = (translation.body_html if translation else ""), True
        new_title, body_html, body_text = _clean_content(new_title, new_body, is_html=is_html)
        now = timezone.now()
        if translation is None:
            translation = ArticleTranslation.objects.create(
                article=article,
                language=language,
                title=new_title,
                body_html=body_html,
                body_text=body_text,
                updated_at=now,
            )
            changed.append(f"translation:{language}")
        else:
            if new_title != translation.title:
                changed.append("title")
            if body_html != translation.body_html:
                changed.append("body")
            if changed:
                translation.title, translation.body_html = new_title, body_html
                translation.body_text, translation.updated_at = body_text, now
                translation.save(update_fields=["title", "body_html", "body_text", "updated_at"])
        if changed:
            _index(translation)
    fields: list[str] = []
    if category is not _UNSET and category != article.category:
        article.category = category
        fields.append("category")
    if visibility is not None and visibility != article.visibility:
        _check_visibility(visibility, organizations)
        article.visibility = visibility
        fields.append("visibility")
    if default_language is not None:
        default_language = _clean_language(default_language)
        if default_language != article.default_language:
            if not article.translations.filter(language=default_language).exists():
                raise ValidationError(
                    {"default_language": _("Write the article in that language first.")}
                )
            article.default_language = default_language
            fields.append("default_language")
    if organizations is not _UNSET:
        before = set(article.organizations.values_list("id", flat=True))
        if before != {o.id for o in organizations or []}:
            changed.append("organizations")
    if tags is not _UNSET:
        before = set(article.tags.values_list("id", flat=True))
        if before != {t.id for t in tags or []}:
            changed.append("tags")
    _set_relations(article, organizations, tags)
    changed += fields
    if not changed:
        return article
    article.updated_at = timezone.now()
    article.save(update_fields=[*fields, "updated_at"])
    _revise(article, translation, actor, changed, note=note)
    _publish_event("article.updated", article, actor)
    return article


def _change_status(article: Article, actor: User, status: str) -> Article:
    _require_agent(actor)
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if article.status == status:
            return article
        article.status = status
        article.updated_at = timezone.now()
        fields = ["status", "updated_at"]
        if status == Article.Status.PUBLISHED and article.published_at is None:
            article.published_at = article.updated_at
            fields.append("published_at")
        article.save(update_fields=fields)
        translation = article.translation()
        _revise(article, translation, actor, ["status"], note=article.get_status_display())
        _publish_event(f"article.{status}", article, actor)
    return article


def publish(article: Article, *, actor: User) -> Article:
    """Make the article readable by its audience (and findable by them)."""
    return _change_status(article, actor, Article.Status.PUBLISHED)


def archive(article: Article, *, actor: User) -> Article:
    """Withdraw the article from readers; agents still find it, and can publish it again."""
    return _change_status(article, actor, Article.Status.ARCHIVED)


def unpublish(article: Article, *, actor: User) -> Article:
    """Back to draft."""
    return _change_status(article, actor, Article.Status.DRAFT)


def article_from_message(message: Message, *, actor: User) -> Article:
    """'Turn into article': the message's text becomes a draft linked to its ticket.

    The draft is internal until an agent decides who may read it: a reply can carry a
    customer's details, so nothing leaves the desk without a review.
    """
    from relaydesk.tickets.queries import visible_tickets

    _require_agent(actor)
    if not visible_tickets(actor).filter(id=message.ticket_id).exists():
        raise PermissionDenied(_("You cannot see this ticket."))
    ticket = message.ticket
    body = message.body_html or text_to_html(message.body_text)
    if not html_to_text(sanitize_html(body)).strip():
        raise ValidationError({"body": _("This message has no text to turn into an article.")})
    return create_article(
        actor=actor,
        title=ticket.subject[:TITLE_MAX] or _("Untitled"),
        body=body,
        visibility=Article.Visibility.INTERNAL,
        status=Article.Status.DRAFT,
        source_ticket=ticket,
        source_message=message,
    )


def _reader(user) -> User | None:
    return user if user is not None and user.is_authenticated else None


def vote(article: Article, *, user, session_key: str = "", helpful: bool) -> Vote:
    """Record 'was this helpful?'. One vote per user (or per anonymous session): voting
    again changes the earlier vote, and the article's counters follow."""
    _require_readable(user, article)
    reader = _reader(user)
    if reader is None and not session_key:
        raise ValidationError({"session": _("Voting needs a session.")})
    lookup = {"user": reader} if reader else {"user": None, "session_key": session_key}
    with transaction.atomic():
        existing = Vote.objects.select_for_update().filter(article=article, **lookup).first()
        if existing is not None:
            if existing.helpful != helpful:
                existing.helpful = helpful
                existing.save(update_fields=["helpful"])
                up, down = (1, -1) if helpful else (-1, 1)
                Article.objects.filter(pk=article.pk).update(
                    helpful_count=F("helpful_count") + up,
                    unhelpful_count=F("unhelpful_count") + down,
                )
            return existing
        try:
            with transaction.atomic():
                created = Vote.objects.create(
                    article=article,
                    user=reader,
                    session_key="" if reader else session_key,
                    helpful=helpful,
                )
        except IntegrityError:  # a concurrent double click: the first vote stands
            return Vote.objects.get(article=article, **lookup)
        counter = "helpful_count" if helpful else "unhelpful_count"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
        return created


def record_view(article: Article) -> None:
    """Count one opening of the article (the FAQ orders by this)."""
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)


def record_deflection(
    article: Article, *, user, session_key: str = "", query: str = ""
) -> Deflection | None:
    """A visitor opened suggested ARTICLE and left the request form without submitting.

    Counted once per article and session; returns None when already counted.
    """
    _require_readable(user, article)
    reader = _reader(user)
    if reader is None and not session_key:
        return None
    try:
        with transaction.atomic():
            return Deflection.objects.create(
                article=article,
                user=reader,
                session_key=session_key,
                query=" ".join((query or "").split())[:300],
            )
    except IntegrityError:
        return None
