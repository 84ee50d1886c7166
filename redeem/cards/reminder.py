""" "Remind me before it expires": an RFC 5545 calendar file made with ``icalendar``.

One all-day event on the card's expiry date, with a display alarm a week before it.
Calendars sync to other people's servers (the recipient's provider, a work account, a
shared family calendar), so the file names the brand and the value and says where the
card is, and never holds the code, PIN, links or barcode value, nor the redeem link.

The UID is derived from the redemption id, so saving the reminder twice updates one
event instead of adding a second; a hash, so the id itself does not travel either.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext
from icalendar import Alarm, Calendar, Event

from redeem.gifq.models import Redemption
from redeem.i18n.formatting import day, money

PRODID = "-//GIFQ Redeem//Gift card reminder//EN"
ALARM_BEFORE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Reminder:
    ics: bytes
    filename: str


def uid(redemption: Redemption) -> str:
    digest = hashlib.sha256(f"gifq-redeem card reminder {redemption.id}".encode()).hexdigest()
    return f"{digest[:32]}@gifq-redeem"


def reminder(*, redemption: Redemption, brand_name: str, now: datetime) -> Reminder | None:
    """The reminder for a card with an expiry date, in the request's language; else None."""
    expires: date | None = redemption.expires_at
    if expires is None:
        return None
    worth = money(redemption.face_value, redemption.currency)
    summary = gettext(
        "%(brand)s gift card worth %(amount)s expires", brand=brand_name, amount=worth
    )
    description = gettext(
        "Your %(brand)s gift card worth %(amount)s expires on %(date)s. To see it again, "
        "open the link in the email that brought your gift, or the copy of the card you saved.",
        brand=brand_name,
        amount=worth,
        date=day(expires),
    )
    event = Event()
    event.add("uid", uid(redemption))
    event.add("dtstamp", now)
    event.add("dtstart", expires)
    event.add("dtend", expires + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a reminder, not a busy day
    event.add("class", "PRIVATE")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -ALARM_BEFORE)
    alarm.add(
        "description",
        gettext(
            "%(brand)s gift card worth %(amount)s expires in a week", brand=brand_name, amount=worth
        ),
    )
    event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return Reminder(ics=calendar.to_ical(), filename=f"gift-card-reminder-{expires}.ics")
