"""What every page needs to know about its campaign: theme, framing rules, language hints."""

from __future__ import annotations

from flask import current_app, g

from redeem.branding.campaign_text import clean_campaign
from redeem.branding.embed import frame_ancestors
from redeem.branding.theme import DEFAULT_THEME, build_theme
from redeem.extensions import campaigns
from redeem.gifq.models import Campaign, Payout


def use_campaign(campaign: Campaign | None) -> None:
    """Dress the response in the campaign's branding and let its owners frame it."""
    if campaign is None:
        g.theme, g.frame_ancestors, g.campaign = DEFAULT_THEME, (), None
        return
    config = current_app.config
    flow = g.get("flow")
    campaigns.seen_with(campaign, token_key=g.get("token_key"), flow_id=flow.id if flow else None)
    g.campaign = campaign = clean_campaign(campaign)
    g.theme = build_theme(campaign.branding, tuple(config.get("ASSET_ORIGINS", ())))
    g.frame_ancestors = frame_ancestors(
        campaign.branding.embed_origins,
        tuple(config.get("EMBED_ORIGINS", ())),
        gifq_base=config.get("GIFQ_API_BASE"),
    )
    g.campaign_locale = campaign.branding.default_locale


def use_remembered_campaign() -> None:
    """For error pages: the campaign this link or flow last showed, when this process saw it."""
    if g.get("campaign") is not None:
        return
    flow = g.get("flow")
    campaign = campaigns.campaign(flow.campaign_id) if flow else None
    if campaign is None:
        campaign = campaigns.last_seen(token_key=g.get("token_key"), flow_id=g.get("flow_id_asked"))
    if campaign is not None:
        use_campaign(campaign)


def use_payout(payout: Payout) -> None:
    campaigns.remember_payout(payout)
    use_campaign(payout.campaign)
    g.payout = payout
    g.recipient_locale = payout.recipient.locale
