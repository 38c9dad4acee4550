"""The knowledge base: articles (with translations and revisions) in a category tree.

Who may read an article is decided in `queries.py` (`visible_articles`); every write goes
through `services.py`, which also keeps the full-text index in `core/search.py` current.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$")


def validate_language(value: str) -> None:
    if not _LANGUAGE.match(value or ""):
        raise ValidationError(_("%(value)s is not a language code."), params={"value": value})


class Category(models.Model):
    """A node of the category tree the portal browses by."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.parent} / {self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            seen.add(node.pk)
            node = node.parent

    def ancestors(self) -> list["Category"]:
        """From the root down to this category's parent."""
        chain, node, seen = [], self.parent, set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return chain[::-1]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    """One answer, written once in its default language and possibly translated."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        ORGANIZATION = "organization", _("Customers of chosen organizations")
        INTERNAL = "internal", _("Internal (agents only)")

    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    visibility = models.CharField(
        _("visibility"), max_length=20, choices=Visibility, default=Visibility.PUBLIC
    )
    organizations = models.ManyToManyField(
        "accounts.Organization",
        verbose_name=_("organizations"),
        blank=True,
        related_name="knowledge_articles",
        help_text=_("Who may read it when the visibility is limited to organizations."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    default_language = models.CharField(
        _("default language"),
        max_length=12,
        default=settings.LANGUAGE_CODE,
        validators=[validate_language],
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_articles",
    )
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("source ticket"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_articles",
    )
    source_message = models.ForeignKey(
        "tickets.Message",
        verbose_name=_("source message"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="knowledge_articles",
    )
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful votes"), default=0)
    unhelpful_count = models.PositiveIntegerField(_("unhelpful votes"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        indexes = [
            models.Index(fields=["status", "visibility", "-view_count"], name="kb_article_faq"),
            models.Index(fields=["-updated_at", "-id"], name="kb_article_updated"),
        ]

    def __str__(self) -> str:
        translation = self.translation()
        return translation.title if translation else f"article {self.pk}"

    def translation(self, language: str | None = None) -> "ArticleTranslation | None":
        """The version in LANGUAGE (or its base language), else the default language's.

        Uses prefetched translations when present, so lists do not query per row.
        """
        versions = {t.language: t for t in self.translations.all()}
        candidates = []
        if language:
            language = language.lower()
            candidates += [language, language.split("-")[0]]
        candidates.append(self.default_language)
        for code in candidates:
            if code in versions:
                return versions[code]
        return next(iter(versions.values()), None)

    @property
    def slug(self) -> str:
        translation = self.translation()
        return (slugify(translation.title)[:80] if translation else "") or "article"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ArticleTranslation(models.Model):
    """The title and body of an article in one language. HTML is stored sanitized."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=12, validators=[validate_language])
    title = models.CharField(_("title"), max_length=200)
    body_html = models.TextField(_("body (HTML)"))
    body_text = models.TextField(_("body (text)"))
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("translation")
        constraints = [
            models.UniqueConstraint(fields=["article", "language"], name="kb_translation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"


class Revision(models.Model):
    """A snapshot after each change: who changed what, and when."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    language = models.CharField(_("language"), max_length=12)
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("editor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    changed = models.JSONField(_("changed fields"), default=list)
    title = models.CharField(_("title"), max_length=200)
    body_html = models.TextField(_("body (HTML)"))
    status = models.CharField(_("status"), max_length=20)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("revision")
        indexes = [models.Index(fields=["article", "-created_at"], name="kb_revision_article")]

    def __str__(self) -> str:
        return f"revision {self.pk} of article {self.article_id}"


class Vote(models.Model):
    """'Was this helpful?': one per signed-in user, or one per anonymous session."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True)
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="kb_vote_one_per_user",
            ),
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=Q(user__isnull=True),
                name="kb_vote_one_per_session",
            ),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.helpful else '-'} article {self.article_id}"


class Deflection(models.Model):
    """A portal visitor opened a suggested article and left without submitting a request."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True)
    query = models.CharField(_("what they typed"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("deflection")
        indexes = [models.Index(fields=["created_at"], name="kb_deflection_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "session_key"],
                condition=~Q(session_key=""),
                name="kb_deflection_once_per_session",
            )
        ]

    def __str__(self) -> str:
        return f"deflection by article {self.article_id}"
