"""Each importer reads its hand-written sample in the real format into the right drafts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicshield.domain.errors import ImportFailure
from tests.conftest import SAMPLES
from tests.factories import IMPORTERS, read_all, zip_folder


def test_jsonl_reads_flat_and_nested_authors_and_keeps_lines_verbatim() -> None:
    drafts = read_all("jsonl", SAMPLES / "generic.jsonl")
    assert [d.external_id for d in drafts] == ["form-1", "bsky-1", "77"]
    form, reply, number = drafts
    assert form.private and form.subject == "Potholes" and form.kind == "form"
    assert reply.sender.external_id == "did:plc:abc" and reply.sender.handle == "@angry.bsky.social"
    assert reply.created_at == datetime(2026, 10, 2, 16, 0, tzinfo=UTC)
    assert number.created_at == datetime.fromtimestamp(1790000000, UTC)
    assert number.reply_to == "t-0"
    first_line = (SAMPLES / "generic.jsonl").read_bytes().split(b"\n")[0]
    assert form.raw == first_line


def test_csv_reads_quoted_multiline_text_and_boolean_words() -> None:
    drafts = read_all("csv", SAMPLES / "generic.csv")
    assert [d.external_id for d in drafts] == ["form-10", "form-11"]
    assert drafts[0].text == 'Thanks for the longer library hours, "really" helpful.'
    assert drafts[1].text.endswith("visit.\nBring friends.") and drafts[1].private
    assert drafts[1].sender.display_name == ""


@pytest.mark.parametrize(("sample", "fmt", "line", "field", "problem"), [
    ("malformed.csv", "csv", 4, "created_at", "not a date"),
    ("malformed.jsonl", "jsonl", 2, "author_id", "required"),
    ("nodate.eml", "eml", None, "Date", "missing"),
])
def test_malformed_records_name_file_line_and_field(sample: str, fmt: str, line: int | None,
                                                    field: str, problem: str) -> None:
    with pytest.raises(ImportFailure) as caught:
        read_all(fmt, SAMPLES / sample)
    error = caught.value
    assert error.source == sample and error.line == line and error.field == field
    assert problem in error.problem
    assert sample in str(error) and field in str(error)


def test_csv_header_must_name_required_columns(tmp_path: Path) -> None:
    path = tmp_path / "bad-header.csv"
    path.write_text("id,platform,created_at,text\n1,webform,2026-10-01,hi\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match="author_id") as caught:
        read_all("csv", path)
    assert caught.value.line == 1


def test_csv_unknown_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "typo.csv"
    path.write_text("id,platform,created_at,author_id,text,sbject\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match="does not know \\(sbject\\)") as caught:
        read_all("csv", path)
    assert caught.value.field == "sbject"


def test_a_contact_form_export_is_told_every_missing_column_and_where_to_map(
        tmp_path: Path) -> None:
    path = tmp_path / "contact.csv"
    path.write_text("Submitted,Name,Email,Message\n2026-11-03 14:05,Ann,a@b.org,hi\n",
                    encoding="utf-8")
    with pytest.raises(ImportFailure) as caught:
        read_all("csv", path)
    said = caught.value.describe()
    assert "lacks the columns id, platform, created_at, text, author_id" in said
    assert "Submitted, Name, Email, Message" in said and "Import page" in said


def test_mbox_splits_messages_unquotes_from_lines_and_reads_html() -> None:
    drafts = read_all("mbox", SAMPLES / "mailbox.mbox")
    assert [d.external_id for d in drafts] == ["<m1@example.org>", "<m2@example.net>"]
    plain, html = drafts
    assert plain.sender.external_id == "pat@example.org"  # lower-cased address
    assert plain.sender.display_name == "Pat Reyes"
    assert "From the corner to the school" in plain.text and ">From" not in plain.text
    assert plain.created_at == datetime(2026, 10, 1, 16, 15, tzinfo=UTC)
    assert html.subject == "You have been warned"
    assert "I know where your kids go to school." in html.text and "<p>" not in html.text
    assert html.thread_id == "<m0@example.org>" and html.reply_to == "<m1@example.org>"
    assert html.private and html.kind == "email"
    assert html.raw.startswith(b"From: anon@example.net")


def test_eml_prefers_plain_text_and_keeps_the_whole_message() -> None:
    (message,) = read_all("eml", SAMPLES / "message.eml")
    assert message.text == "How do I renew the café permit?"
    assert message.subject == "Café permit"
    assert message.raw == (SAMPLES / "message.eml").read_bytes()


def test_eml_folder_reads_every_file(tmp_path: Path) -> None:
    for name in ("a.eml", "b.eml"):
        (tmp_path / name).write_bytes((SAMPLES / "message.eml").read_bytes().replace(
            b"eml-1@", f"{name}@".encode()))
    assert len(read_all("eml", tmp_path)) == 2


def test_x_archive_reads_tweets_and_dms_from_the_zip(tmp_path: Path) -> None:
    archive = zip_folder(SAMPLES / "x_archive", tmp_path / "twitter-2026.zip")
    drafts = read_all("x-archive", archive)
    tweets = [d for d in drafts if not d.private]
    dms = [d for d in drafts if d.private]
    assert [t.kind for t in tweets] == ["post", "reply"]
    assert tweets[0].sender.handle == "@MayorMarsh"
    assert tweets[0].url == "https://x.com/MayorMarsh/status/1800000000000000001"
    assert tweets[1].reply_to == "1799999999999999999"
    assert tweets[0].created_at == datetime(2026, 10, 7, 16, 30, tzinfo=UTC)
    assert [d.external_id for d in dms] == ["dm:1700000000000000002", "dm:1700000000000000001"]
    assert dms[0].sender.external_id == "1500000000000000042"
    assert dms[0].thread_id == "1400000000000000001-1500000000000000042"
    assert json.loads(dms[0].raw)["messageCreate"]["text"].startswith("I know what car")


def test_x_archive_without_account_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = []")
    with pytest.raises(ImportFailure, match=r"account\.js"):
        read_all("x-archive", zip_folder(folder, tmp_path / "broken.zip"))


def test_an_x_data_file_without_its_assignment_is_refused_at_once(tmp_path: Path) -> None:
    """A large account.js with no '=' was searched again from the start every 256 bytes."""
    import shutil

    folder = tmp_path / "no-assignment"
    shutil.copytree(SAMPLES / "x_archive", folder)
    (folder / "data" / "account.js").write_bytes(b"[" + b" " * 5_000_000 + b"]")
    with pytest.raises(ImportFailure, match=r"account\.js: is not an X archive data file"):
        read_all("x-archive", zip_folder(folder, tmp_path / "odd.zip"))


def test_a_csv_that_is_not_utf8_from_its_first_bytes_is_named(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,platform,created_at,text,author_id\n1,email,2026-01-01,caf\xe9,a@b\n"
                     .encode("latin-1"))
    with pytest.raises(ImportFailure, match="is not UTF-8 text"):
        read_all("csv", path)


def test_bluesky_notifications_keep_replies_and_mentions_only() -> None:
    drafts = read_all("bluesky", SAMPLES / "bluesky-notifications.json")
    assert [d.kind for d in drafts] == ["reply", "mention"]
    reply = drafts[0]
    assert reply.sender.external_id == "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
    assert reply.sender.handle == "@rivertonpatriot.bsky.social"
    assert reply.url == "https://bsky.app/profile/rivertonpatriot.bsky.social/post/3lbq2ugo3ds2k"
    assert reply.reply_to.endswith("/3lbpzz") and reply.thread_id.endswith("/3lbpyy")
    assert reply.created_at == datetime(2026, 10, 10, 15, 4, 5, 123000, tzinfo=UTC)


def test_bluesky_author_feed() -> None:
    (post,) = read_all("bluesky", SAMPLES / "bluesky-author-feed.json")
    assert post.text == "Council meeting tonight at 6." and post.kind == "post"


def test_mastodon_notifications_turn_html_into_text_and_mark_direct_private() -> None:
    drafts = read_all("mastodon-notifications", SAMPLES / "mastodon-notifications.json")
    assert len(drafts) == 2  # the favourite is skipped
    direct, public = drafts
    assert direct.private and direct.kind == "direct"
    assert direct.text == "@mayor You're so hot when you're angry.\nSend nudes."
    assert direct.sender.external_id == "https://mastodon.example/@tomh_1971"
    assert direct.sender.handle == "@tomh_1971@mastodon.example"
    assert public.sender.handle == "@local@riverton.example"
    assert public.subject == "politics" and "&" in public.text and "&amp;" not in public.text
    assert public.reply_to == "113249999999999999"


def test_mastodon_outbox_reads_notes_and_skips_boosts() -> None:
    drafts = read_all("mastodon-outbox", SAMPLES / "mastodon-outbox.json")
    assert [d.external_id.rsplit("/", 1)[-1] for d in drafts] == ["1", "3"]
    public, direct = drafts
    assert not public.private and public.sender.handle == "@mayor@riverton.example"
    assert direct.private and direct.kind == "reply"


def test_facebook_comments_repair_meta_encoding() -> None:
    drafts = read_all("facebook-comments", SAMPLES / "facebook-comments.json")
    assert drafts[0].sender.display_name == "José Alvarez"
    assert drafts[0].text.startswith("Café owners")
    assert drafts[0].sender.external_id == "name:José Alvarez"
    assert drafts[0].external_id != drafts[1].external_id
    assert read_all("facebook-comments", SAMPLES / "facebook-comments.json")[0].external_id == \
        drafts[0].external_id  # stable across reads


def test_instagram_comments_name_the_exporting_account() -> None:
    drafts = read_all("instagram-comments", SAMPLES / "instagram-comments.json",
                      account="@mayormarsh")
    assert drafts[0].text == "Great turnout at the parade! 😍"
    assert drafts[0].sender.handle == "@mayormarsh"
    assert drafts[0].subject == "on a post by @rivertoncity"


@pytest.mark.parametrize(("sample", "fmt"), [
    ("generic.jsonl", "jsonl"), ("generic.csv", "csv"), ("mailbox.mbox", "mbox"),
    ("message.eml", "eml"), ("bluesky-notifications.json", "bluesky"),
    ("bluesky-author-feed.json", "bluesky"),
    ("mastodon-notifications.json", "mastodon-notifications"),
    ("mastodon-outbox.json", "mastodon-outbox"), ("facebook-comments.json", "facebook-comments"),
    ("instagram-comments.json", "instagram-comments"),
])
def test_format_is_recognised_from_the_file(sample: str, fmt: str) -> None:
    path = SAMPLES / sample
    head = path.read_bytes()[:4096]
    matches = [name for name, imp in IMPORTERS.items() if imp.sniff(path, head)]
    assert matches[0] == fmt


def test_truncated_json_names_the_record(tmp_path: Path) -> None:
    text = (SAMPLES / "mastodon-notifications.json").read_text(encoding="utf-8")
    broken = tmp_path / "cut.json"
    broken.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ImportFailure, match="not valid JSON"):
        read_all("mastodon-notifications", broken)
