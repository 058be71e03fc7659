"""Decoding fetched bytes: header charset, then BOM, then <meta>, then detection."""

from __future__ import annotations

import codecs

import pytest

from newsflow.charset import decode_body, detect_encoding


def _page(body: str, *, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>t</title></head><body><p>{body}</p></body></html>"


LATIN1 = "Le café de la gare a fermé ses portes après quarante années de service, a déclaré le maire."
RUSSIAN = "Правительство утвердило новый бюджет города на следующий год после долгого обсуждения."
CHINESE = "市政府宣布，新的图书馆将于明年春天开放，并提供更长的开放时间和更多的儿童读物。"
JAPANESE = "市は来年の春に新しい図書館を開くと発表し、開館時間を延ばして子ども向けの本を増やす。"


@pytest.mark.parametrize(
    ("text", "codec", "declared"),
    [
        (LATIN1, "latin-1", "iso-8859-1"),
        (RUSSIAN, "cp1251", "windows-1251"),
        (CHINESE, "gbk", "gb2312"),
        (JAPANESE, "shift_jis", "shift_jis"),
    ],
)
def test_legacy_encodings_declared_in_meta(text: str, codec: str, declared: str) -> None:
    body = _page(text, meta=declared).encode(codec)
    assert text in decode_body(body, "text/html")


@pytest.mark.parametrize(
    ("text", "codec", "declared"),
    [
        (LATIN1, "latin-1", "ISO-8859-1"),
        (RUSSIAN, "cp1251", "windows-1251"),
        (CHINESE, "gbk", "GBK"),
        (JAPANESE, "shift_jis", "Shift_JIS"),
    ],
)
def test_legacy_encodings_declared_in_the_http_header(text: str, codec: str, declared: str) -> None:
    body = _page(text).encode(codec)
    assert text in decode_body(body, f"text/html; charset={declared}")


@pytest.mark.parametrize(("text", "codec"), [(RUSSIAN, "cp1251"), (CHINESE, "gbk"), (JAPANESE, "shift_jis")])
def test_undeclared_legacy_encoding_is_detected(text: str, codec: str) -> None:
    body = _page(text * 3).encode(codec)
    assert text in decode_body(body, "text/html")


def test_header_wins_over_a_disagreeing_meta() -> None:
    body = _page(RUSSIAN, meta="iso-8859-1").encode("cp1251")
    assert detect_encoding(body, "text/html; charset=windows-1251") == "cp1251"
    assert RUSSIAN in decode_body(body, "text/html; charset=windows-1251")


def test_meta_is_used_when_the_header_names_no_charset() -> None:
    body = _page(RUSSIAN, meta="windows-1251").encode("cp1251")
    assert detect_encoding(body, "text/html") == "cp1251"


def test_unknown_header_charset_falls_through_to_meta() -> None:
    body = _page(LATIN1, meta="utf-8").encode("utf-8")
    assert detect_encoding(body, "text/html; charset=no-such-charset") == "utf-8"


def test_latin1_label_means_windows_1252() -> None:
    body = _page("It’s “quoted” — dash", meta="iso-8859-1").encode("cp1252")
    assert "It’s “quoted” — dash" in decode_body(body, None)


def test_byte_order_mark_beats_meta_and_is_not_kept() -> None:
    body = codecs.BOM_UTF8 + _page(LATIN1, meta="iso-8859-1").encode("utf-8")
    text = decode_body(body, "text/html")
    assert not text.startswith("\ufeff")
    assert LATIN1 in text


def test_undecodable_bytes_are_replaced_not_raised() -> None:
    body = _page("ok").encode("utf-8") + b"\xff\xfe\xfa"
    assert "ok" in decode_body(body, "text/html; charset=utf-8")
