"""Spam: promotions, scams and link floods."""

from __future__ import annotations

from civicshield.detectors.rules import Rule, RuleDetector


class SpamDetector(RuleDetector):
    """Rules for unsolicited promotion and scams."""

    name = "spam-rules"
    version = "1"
    rules = (
        Rule("spam", r"\b(?:bitcoin|crypto(?:currency)?|btc|giveaway|free followers|click (?:here"
             r"|the link|my bio)|casino|viagra|cialis|work from home|investment opportunity"
             r"|dm me for|promo code|limited (?:time )?offer|buy now|onlyfans|cheap (?:meds|pills)"
             r"|loan approved|make \$?\d+k? (?:a|per) (?:day|week)|guaranteed returns)\b",
             0.75, "promotional or scam wording", lookalikes=False),
        Rule("spam", r"https?://\S+(?:[\s\S]*?https?://\S+){2}",
             0.6, "three or more links in one message", lookalikes=False),
    )
