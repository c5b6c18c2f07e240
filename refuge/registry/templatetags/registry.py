from django import template
from django.core.exceptions import FieldDoesNotExist

from refuge.registry.models import Person

register = template.Library()


@register.filter
def person_field_label(name: str) -> str:
    """A person's field as the form names it ("given name (Latin)"), not its code."""
    try:
        return str(Person._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name
