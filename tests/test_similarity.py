"""Near-identical messages and look-alike senders (domain.similarity)."""

from __future__ import annotations

from civicshield.domain.similarity import (
    Identity,
    email_of,
    links,
    near_key,
    normal_name,
    suggest_matches,
    user_name_variants,
)


def test_near_key_ignores_case_spacing_punctuation_links_and_numbers() -> None:
    base = near_key("Resign now, Mayor Marsh!")
    assert near_key("  resign NOW mayor marsh ") == base
    assert near_key("Resign now Mayor Marsh!!! https://spam.example/1") == base
    assert near_key("Ticket 4411: resign now, mayor marsh") == near_key(
        "Ticket 98: Resign now mayor Marsh")
    assert near_key("Resign tomorrow, Mayor Marsh") != base
    assert near_key("") == near_key("   ")


def test_links_names_and_emails_are_compared_in_one_form() -> None:
    assert links("see HTTPS://Truth.Example/files/marsh?x=1, and https://x.com/a") == {
        "truth.example/files/marsh"}
    assert normal_name("  Tōm   HALE ") == normal_name("tom hale")
    assert email_of("Gary.Voss@Example.org") == "gary.voss@example.org"
    assert email_of("mailto:a@b.io") == "a@b.io"
    assert email_of("did:plc:abc") == ""


def _id(sender: int, group: int, platform: str, external: str, name: str = "",
        handle: str = "") -> Identity:
    return Identity(sender, group, platform, external, handle, name)


def test_suggestions_name_each_reason_and_skip_common_wording() -> None:
    mine = [_id(1, 1, "webform", "gary.voss@example.org", "Gary Voss")]
    others = [_id(2, 2, "email", "GARY.VOSS@example.org", "Gary Voss"),
              _id(3, 3, "bluesky", "did:plc:g", "gary voss"),
              _id(4, 4, "mastodon", "44", "Gary"),  # one word: not a name match
              _id(5, 5, "x", "55")]
    texts = {5: ["Read https://riverton-truth.example/marsh before the vote",
                 "you will pay for the parking ticket mess"]}
    found = suggest_matches(mine, ["The parking ticket is unfair. You will pay for the "
                                   "parking ticket mess, see https://riverton-truth.example/marsh"],
                            others, texts)
    by_group = {m.group_id: m for m in found}
    assert set(by_group) == {2, 3, 5}
    assert by_group[2].reasons[0].startswith("the same email address (gary.voss@example.org)")
    assert "the same name (Gary Voss) on webform and email" in by_group[2].reasons
    assert by_group[3].reasons == ("the same name (gary voss) on webform and bluesky",)
    assert any(r.startswith("the same wording") for r in by_group[5].reasons)
    assert "the same link (riverton-truth.example/marsh)" in by_group[5].reasons
    assert found[0].group_id == 2  # email and name: the strongest
    common = {g: ["you will pay for the parking ticket mess"] for g in range(10, 15)}
    crowd = [_id(g, g, "x", str(g)) for g in range(10, 15)]
    assert suggest_matches(mine, ["you will pay for the parking ticket mess"], crowd,
                           common) == []  # five groups wrote it: common wording


def test_no_identities_no_suggestions_and_own_group_is_never_suggested() -> None:
    assert suggest_matches([], ["x"], [], {}) == []
    mine = [_id(1, 1, "webform", "a@b.org", "Ann Lee"), _id(2, 1, "email", "a@b.org")]
    assert suggest_matches(mine, [], mine, {1: ["text"]}) == []


def test_the_same_user_name_wherever_it_is_hosted() -> None:
    mine = [_id(1, 1, "mastodon", "301", handle="@tomh_1971@town.example")]
    others = [_id(2, 2, "mastodon", "302", handle="@tomh_1971@mastodon.example"),
              _id(3, 3, "bluesky", "did:plc:t", handle="tomh-1971.bsky.social"),
              _id(4, 4, "email", "tomh.1971@mail.example"),
              _id(5, 5, "x", "9", handle="tom")]  # too short to tell people apart
    found = {m.group_id: m.reasons for m in suggest_matches(mine, [], others, {})}
    assert set(found) == {2, 3, 4}
    assert found[3] == ("the same user name (tomh1971) on mastodon and bluesky",)
    assert user_name_variants("@tomh_1971@town.example") == {
        "tomh_1971", "tomh-1971", "tomh.1971", "tomh1971"}
    assert user_name_variants("@tom") == set()
