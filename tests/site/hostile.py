"""Feeds that attack XML parsers: entity expansion and external entities."""

from __future__ import annotations

BILLION_LAUGHS_PATH = "/hostile/billion-laughs.xml"
XXE_PATH = "/hostile/xxe.xml"


def billion_laughs(*, article_url: str) -> bytes:
    """An RSS feed whose title entity expands to 10^9 'lol's (about 3 GB) in a naive parser."""
    entities = ['  <!ENTITY lol0 "lol">']
    entities += [f'  <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    doctype = "<!DOCTYPE rss [\n" + "\n".join(entities) + "\n]>"
    return _feed(doctype, title="&lol9;", article_url=article_url)


def xxe(*, article_url: str) -> bytes:
    """An RSS feed whose item title pulls in /etc/passwd through an external entity."""
    doctype = '<!DOCTYPE rss [\n  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>'
    return _feed(doctype, title="&xxe;", article_url=article_url)


def _feed(doctype: str, *, title: str, article_url: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"{doctype}\n"
        '<rss version="2.0">\n'
        "  <channel>\n"
        "    <title>Hostile feed</title>\n"
        "    <link>http://127.0.0.1/</link>\n"
        "    <description>Do not expand entities</description>\n"
        "    <item>\n"
        f"      <title>{title}</title>\n"
        f"      <link>{article_url}</link>\n"
        "      <pubDate>Tue, 19 Nov 2019 08:00:00 GMT</pubDate>\n"
        "    </item>\n"
        "  </channel>\n"
        "</rss>\n"
    ).encode()
