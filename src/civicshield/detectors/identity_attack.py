"""Identity attacks: dehumanising or hateful statements about people for who they are.

The slur list is deliberately short and covers the terms most often aimed at officials; the
trained models of a later release widen coverage.
"""

from __future__ import annotations

from civicshield.detectors.rules import Rule, RuleDetector

_GROUP = (r"(?:women|females|immigrants|illegals|migrants|mexicans|muslims|jews|jewish people"
          r"|black people|blacks|asians|chinese people|gays|gay people|lesbians|trans people"
          r"|transgenders|queers|latinos|hispanics|arabs|refugees|indians|africans|christians"
          r"|catholics|disabled people|foreigners|liberals' pets)")


class IdentityAttackDetector(RuleDetector):
    """Rules for hate aimed at a protected characteristic."""

    name = "identity-attack-rules"
    version = "1"
    rules = (
        Rule("identity_attack", rf"\b{_GROUP} (?:are|is)\s+(?:all\s+|just\s+)?(?:\w+\s+)?"
             r"(?:animals|vermin|parasites|subhuman|a disease|a plague|cockroaches|rats|filth"
             r"|savages|scum|inferior|dogs|pigs|rapists|terrorists|not human|a cancer|invaders)\b",
             0.86, "dehumanising statement about a group of people (identity attack)"),
        Rule("identity_attack", r"\bgo back to (?:where you came from|your (?:own )?country"
             r"|africa|mexico|china|india|your village)\b|\bsend (?:her|him|them) back\b"
             r"|\b(?:your|you) (?:kind|people) (?:don'?t|do not) belong\b",
             0.75, "attacks the person for their origin or identity (identity attack)"),
        Rule("identity_attack", rf"\b(?:kill|gas|exterminate|get rid of|wipe out|deport) (?:all )?"
             rf"(?:the |these |those )?{_GROUP}",
             0.88, "calls for harm to a group of people (identity attack)"),
        Rule("identity_attack", r"\b(?:n[i1]gg(?:er|a|uh)|f[a4]gg?(?:ot)?|k[i1]ke|sp[i1]c|ch[i1]nk"
             r"|tr[a4]nn(?:y|ie)|wetback|raghead|towelhead|dyke|r[e3]tard)s?\b",
             0.85, "uses a slur (identity attack)"),
    )
