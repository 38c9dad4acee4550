"""Forms of the desk's knowledge base pages.

As in `forms.py`, choices (categories, organizations) are handed in as lists fetched once
by the view, so rendering never queries. The article form edits one language version at a
time; the settings (category, tags, visibility, status) are shared by every version.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from relaydesk.knowledge.models import Article, Category, validate_language

BODY_FORMATS = [("html", _("HTML (sanitized on save)")), ("text", _("Plain text"))]
SORT_LABELS = {"updated": _("Last updated first"), "views": _("Most viewed first")}


def category_choices(categories: list[Category], blank: str) -> list[tuple[str, str]]:
    """Categories in tree order, each labelled with its path ("Network / VPN")."""
    by_id = {c.pk: c for c in categories}
    children: dict[int | None, list[Category]] = {}
    for c in categories:
        children.setdefault(c.parent_id if c.parent_id in by_id else None, []).append(c)
    choices = [("", blank)]

    def walk(parent_id, path, seen):
        for node in children.get(parent_id, []):
            if node.pk in seen:
                continue
            seen.add(node.pk)
            label = f"{path} / {node.name}" if path else node.name
            choices.append((str(node.pk), label))
            walk(node.pk, label, seen)

    walk(None, "", set())
    return choices


class ArticleFilterForm(forms.Form):
    """The GET filters of the desk's article list; invalid values are dropped."""

    q = forms.CharField(label=_("Search articles"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_LABELS.items())

    def __init__(self, data, *, categories):
        super().__init__(data, auto_id="kbf_%s")
        self.fields["status"].choices = [("", _("Any status")), *Article.Status.choices]
        self.fields["category"].choices = category_choices(categories, _("Any category"))

    def valid_data(self) -> dict:
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 14}))
    body_format = forms.ChoiceField(
        label=_("The body is written in"),
        choices=BODY_FORMATS,
        initial="html",
        widget=forms.RadioSelect,
    )
    language = forms.CharField(
        label=_("Language of this version"),
        max_length=12,
        validators=[validate_language],
        help_text=_("A language code such as en, de or pt-br."),
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        required=False,
        help_text=_("Shown to visitors whose language has no version."),
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas; new tags are created."),
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Article.Visibility.choices, widget=forms.RadioSelect
    )
    organizations = forms.TypedMultipleChoiceField(
        label=_("Organizations"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only used when the article is for customers of chosen organizations."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices)
    note = forms.CharField(
        label=_("Note about this change (optional)"),
        required=False,
        max_length=200,
        help_text=_("Kept in the revision history."),
    )

    def __init__(self, *args, categories, organizations, languages=(), editing=False, **kw):
        kw.setdefault("auto_id", "kb_%s")
        super().__init__(*args, **kw)
        self.fields["category"].choices = category_choices(categories, _("No category"))
        self.fields["organizations"].choices = [(str(o.pk), o.name) for o in organizations]
        self.organizations_by_id = {o.pk: o for o in organizations}
        if editing:
            # The language comes from the page's address: one version is edited at a time.
            self.fields["language"].widget = forms.HiddenInput()
            self.fields["default_language"].choices = [(code, code) for code in languages]
        else:
            self.initial.setdefault("language", settings.LANGUAGE_CODE)
            del self.fields["default_language"]

    def clean_language(self):
        return self.cleaned_data["language"].strip().lower()

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]

    def clean(self):
        data = super().clean()
        if data.get("visibility") == Article.Visibility.ORGANIZATION and not data.get(
            "organizations"
        ):
            self.add_error("organizations", _("Choose at least one organization."))
        return data

    def chosen_organizations(self) -> list:
        return [self.organizations_by_id[i] for i in self.cleaned_data.get("organizations", [])]


class TranslationPickerForm(forms.Form):
    """'Edit or add the version in language …' on the edit page (a GET form)."""

    lang = forms.CharField(
        label=_("Edit or add the version in"),
        max_length=12,
        validators=[validate_language],
        help_text=_("A language code such as en, de or pt-br."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "tr_%s")
        super().__init__(*args, **kwargs)
