"""The fast select renderer must produce exactly what Django's templates produce."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from relaydesk.core.form_rendering import FastSelectRenderer


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("", "—"), ("a", "Alpha & <b>"), ("b", 'Be "quoted"')])
    grouped = forms.ChoiceField(
        choices=[("Fruit", [("apple", "Apple"), ("pear", "Pear")]), ("x", "Other")],
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])
    number = forms.TypedChoiceField(choices=[(1, "Low"), (2, "High")], coerce=int)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"plain": "a", "grouped": "pear", "many": ["1", "3"], "number": "2"},
        {"plain": "zzz", "many": ["9"]},
    ],
)
@pytest.mark.parametrize("name", ["plain", "grouped", "many", "number"])
def test_same_markup_as_django(data, name):
    fast = Sample(data or None, renderer=FastSelectRenderer())
    stock = Sample(data or None, renderer=DjangoTemplates())
    if data:
        fast.is_valid(), stock.is_valid()
    assert str(fast[name].as_widget()) == str(stock[name].as_widget())
    assert "<select" in str(fast[name].as_widget())


def test_attributes_are_escaped():
    form = Sample(renderer=FastSelectRenderer())
    html = str(form["plain"].as_widget(attrs={"aria-describedby": 'x" onfocus="y'}))
    assert 'onfocus="y"' not in html
    assert "&quot;" in html
    assert "Alpha &amp; &lt;b&gt;" in html
