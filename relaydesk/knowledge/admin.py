"""Admin for the knowledge base vocabularies (categories, tags) and a look at articles.

Article text is written in the desk, through `services.py`, so every change leaves a
revision and reaches the search index; here article settings can be seen, and the text
read, but changes to status and content go through the same services via actions.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from relaydesk.knowledge import services
from relaydesk.knowledge.models import Article, ArticleTranslation, Category, Revision, Tag


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "slug", "position"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class TranslationInline(admin.StackedInline):
    model = ArticleTranslation
    extra = 0
    can_delete = False
    fields = ["language", "title", "body_html", "updated_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class RevisionInline(admin.TabularInline):
    model = Revision
    extra = 0
    can_delete = False
    fields = ["created_at", "editor", "language", "changed", "status", "note"]
    readonly_fields = fields
    ordering = ["-created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "__str__",
        "status",
        "visibility",
        "category",
        "view_count",
        "helpful_count",
        "unhelpful_count",
        "updated_at",
    ]
    list_filter = ["status", "visibility", "category"]
    list_select_related = ["category"]
    search_fields = ["translations__title"]
    readonly_fields = [
        "status",
        "default_language",
        "author",
        "source_ticket",
        "source_message",
        "view_count",
        "helpful_count",
        "unhelpful_count",
        "created_at",
        "updated_at",
        "published_at",
    ]
    fields = ["visibility", "organizations", "category", "tags", *readonly_fields]
    filter_horizontal = ["organizations", "tags"]
    inlines = [TranslationInline, RevisionInline]
    actions = ["publish_selected", "archive_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("translations")

    def has_add_permission(self, request) -> bool:
        return False  # written in the desk, where a first translation is required

    def save_model(self, request, obj, form, change) -> None:
        pass  # saved by save_related, through the service, so a revision is recorded

    def save_related(self, request, form, formsets, change) -> None:
        data = form.cleaned_data
        services.update_article(
            form.instance,
            actor=request.user,
            visibility=data["visibility"],
            category=data["category"],
            organizations=data["organizations"],
            tags=data["tags"],
            note=str(_("Changed in the admin")),
        )
        for formset in formsets:  # read-only inlines: saves nothing, but the admin's log
            self.save_formset(request, form, formset, change)  # of the change expects it

    @admin.action(description=_("Publish selected articles"))
    def publish_selected(self, request, queryset):
        for article in queryset:
            services.publish(article, actor=request.user)
        self.message_user(request, _("Published."), messages.SUCCESS)

    @admin.action(description=_("Archive selected articles"))
    def archive_selected(self, request, queryset):
        for article in queryset:
            services.archive(article, actor=request.user)
        self.message_user(request, _("Archived."), messages.SUCCESS)
