"""Campaign copy is plain, bounded, one-line text; its two variables are filled in one pass."""

from __future__ import annotations

from redeem.branding.campaign_text import clean_campaign, clean_text, fill
from redeem.gifq.models import Branding, Campaign


def test_bidi_overrides_and_control_characters_are_removed():
    assert clean_text("Acme\u202e skoob\u202c\x00\x1b[31m\u2066x\u2069", 80) == "Acme skoob [31mx"


def test_right_to_left_text_itself_is_kept():
    assert clean_text("مكافآت أكمي\u200f", 80) == "مكافآت أكمي\u200f"


def test_an_overlong_value_is_cut_with_an_ellipsis():
    cut = clean_text("A" * 10_000, 80)
    assert len(cut) == 80 and cut.endswith("…")


def test_line_breaks_and_runs_of_spaces_become_single_spaces():
    assert clean_text("Hello\n\n  there\u2028friend\t!", 80) == "Hello there friend !"


def test_a_campaign_keeps_its_id_and_branding_while_its_text_is_cleaned():
    raw = Campaign(
        id="c1",
        sender_name="\u202eAcme",
        headline="Hi " * 200,
        body="ok",
        branding=Branding(primary_color="#000000"),
    )
    cleaned = clean_campaign(raw)
    assert cleaned.id == "c1" and cleaned.branding == raw.branding
    assert cleaned.sender_name == "Acme"
    assert len(cleaned.headline) <= 160 and cleaned.headline.endswith("…")


def test_both_variables_are_filled_in():
    assert (
        fill("Hi {{recipient_name}}, here is {{amount}}.", "Alice", "€50.00")
        == "Hi Alice, here is €50.00."
    )


def test_a_name_that_looks_like_a_variable_stays_a_name():
    assert fill("Hi {{recipient_name}}: {{amount}}", "{{amount}}", "€5") == "Hi {{amount}}: €5"


def test_without_a_name_the_greeting_still_reads():
    assert (
        fill("You've received a gift, {{recipient_name}}!", None, "€5") == "You've received a gift!"
    )


def test_template_syntax_in_copy_is_left_as_text():
    assert fill("{{7*7}} {% raw %}", "A", "€5") == "{{7*7}} {% raw %}"
