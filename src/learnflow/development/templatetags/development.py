from django import template

from learnflow.development.selectors import decimal_text

register = template.Library()


@register.filter(name="number")
def number(value) -> str:
    """12.50 → "12.5", 40.00 → "40": indicator figures without noise."""
    return decimal_text(value)
