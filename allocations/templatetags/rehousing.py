"""A hook for housing's building page: the rehousing progress, without housing importing us."""

from django import template

from allocations.rehousing import building_rehousing_progress

register = template.Library()


@register.simple_tag(takes_context=True)
def rehousing_progress(context, building):
    return building_rehousing_progress(context["request"].user, building)
