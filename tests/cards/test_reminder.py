"""redeem/cards/reminder.py: an RFC 5545 file with an alarm a week before the card expires,
that names the brand and value and holds none of the card's secrets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from redeem.cards.reminder import reminder
from tests.cards.test_saved_copy import DETAILS, redemption

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def make(app, lang: str = "en", **kw):
    with app.test_request_context(f"/?lang={lang}"):
        return reminder(redemption=redemption(**kw), brand_name="Parcel Point", now=NOW)


def test_the_reminder_parses_and_has_one_event_on_the_expiry_day(app):
    made = make(app)
    assert made is not None and made.filename == "gift-card-reminder-2027-12-26.ics"
    calendar = Calendar.from_ical(made.ics)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == date(2027, 12, 26)
    assert event.decoded("DTEND") == date(2027, 12, 27)
    assert event["SUMMARY"] == "Parcel Point gift card worth €50.00 expires"
    assert "December 26, 2027" in event["DESCRIPTION"]
    assert event["UID"].endswith("@gifq-redeem") and "rd_saved" not in event["UID"]


def test_the_alarm_rings_a_week_before(app):
    (event,) = Calendar.from_ical(make(app).ics).walk("VEVENT")
    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm.decoded("TRIGGER") == -timedelta(days=7)
    assert "Parcel Point" in alarm["DESCRIPTION"] and "€50.00" in alarm["DESCRIPTION"]


def test_the_reminder_holds_no_secret(app):
    ics = make(app).ics.decode("utf-8")
    unfolded = ics.replace("\r\n ", "")
    secrets = [value for _, value in DETAILS.present()] + [DETAILS.barcode.value]
    for secret in secrets:
        assert secret not in unfolded, secret
        assert secret.replace("-", "") not in unfolded.replace("-", ""), secret
    assert "http" not in unfolded.lower() and "/r/" not in unfolded


def test_the_same_card_gives_the_same_event_uid(app):
    first = Calendar.from_ical(make(app).ics).walk("VEVENT")[0]["UID"]
    again = Calendar.from_ical(make(app).ics).walk("VEVENT")[0]["UID"]
    assert first == again


@pytest.mark.parametrize(
    ("lang", "word"), [("de", "Geschenkkarte"), ("ar", "بطاقة"), ("ja", "ギフトカード")]
)
def test_the_reminder_speaks_the_page_language(app, lang, word):
    (event,) = Calendar.from_ical(make(app, lang).ics).walk("VEVENT")
    assert word in event["SUMMARY"] and word in event["DESCRIPTION"]


def test_a_card_without_expiry_has_no_reminder(app):
    assert make(app, expires=None) is None
