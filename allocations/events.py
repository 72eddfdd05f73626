"""The letting steps after the committee, recorded one row each (``LettingEvent``)."""

import datetime

from allocations.models import LettingEvent, LettingStep


def letting_event_record(
    *,
    vacancy_id: int,
    step: str,
    offer_id: int | None = None,
    detail: str = "",
    by=None,
    at: datetime.datetime | None = None,
) -> LettingEvent:
    fields = {"vacancy_id": vacancy_id, "step": LettingStep(step), "offer_id": offer_id}
    fields.update(detail=detail[:255], by=by)
    if at is not None:
        fields["at"] = at
    return LettingEvent.objects.create(**fields)
