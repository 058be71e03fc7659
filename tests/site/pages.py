"""HTML the local sites render: the News.Az-like widget page, a plain article template, canonical rewriting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from urllib.parse import quote

from tests.site.fixtures import SeedArticle

_CANONICAL_LINK = re.compile(r"<link\b[^>]*\brel=[\"']?canonical[\"']?[^>]*>", re.IGNORECASE)
_OG_URL = re.compile(r"<meta\b[^>]*\bproperty=[\"']?og:url[\"']?[^>]*>", re.IGNORECASE)
_HREF = re.compile(r"(\bhref=)([\"'])[^\"']*\2", re.IGNORECASE)
_CONTENT = re.compile(r"(\bcontent=)([\"'])[^\"']*\2", re.IGNORECASE)
_HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)


def rewrite_canonical(page: bytes, url: str) -> bytes:
    """Point rel=canonical and og:url at `url`, adding a canonical link when the page has none."""
    text = page.decode("utf-8", errors="surrogateescape")
    quoted = escape(url, quote=True)
    text, links = _CANONICAL_LINK.subn(lambda m: _HREF.sub(rf"\g<1>\g<2>{quoted}\g<2>", m.group(0)), text)
    text = _OG_URL.sub(lambda m: _CONTENT.sub(rf"\g<1>\g<2>{quoted}\g<2>", m.group(0)), text)
    result = text.encode("utf-8", errors="surrogateescape")
    if links == 0:
        result = _HEAD_END.sub(f'<link rel="canonical" href="{quoted}">\n</head>'.encode(), result, count=1)
    return result


def article_page(
    *,
    title: str,
    paragraphs: Sequence[str],
    canonical: str,
    published: datetime,
    site_name: str,
    byline: str = "Staff reporter",
    charset_meta: str | None = "utf-8",
) -> str:
    """Render a conventional article page: nav, headline, byline, body paragraphs, footer."""
    body = "\n".join(f"        <p>{escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)
    meta = f'  <meta charset="{charset_meta}">\n' if charset_meta else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
{meta}  <title>{escape(title)} | {escape(site_name)}</title>
  <link rel="canonical" href="{escape(canonical)}">
  <meta property="og:title" content="{escape(title)}">
  <meta property="og:url" content="{escape(canonical)}">
  <meta property="og:type" content="article">
  <meta property="article:published_time" content="{published.isoformat()}">
</head>
<body>
  <header class="site-header">
    <a class="logo" href="/">{escape(site_name)}</a>
    <nav><ul><li><a href="/world/">World</a></li><li><a href="/business/">Business</a></li>
      <li><a href="/sport/">Sport</a></li><li><a href="/opinion/">Opinion</a></li></ul></nav>
  </header>
  <main>
    <article class="story">
      <h1 class="headline">{escape(title)}</h1>
      <p class="byline">By {escape(byline)} · <time datetime="{published.isoformat()}">{published:%d %B %Y}</time></p>
      <div class="story-body">
{body}
      </div>
    </article>
  </main>
  <footer class="site-footer"><p>© {published:%Y} {escape(site_name)}. All rights reserved.</p>
    <ul><li><a href="/about/">About us</a></li><li><a href="/privacy/">Privacy policy</a></li></ul></footer>
</body>
</html>
"""


def widget_page(seed: SeedArticle, *, canonical: str, related: Sequence[tuple[str, str]]) -> str:
    """Render the seed as News.Az does: the date label and font-size widget sit inside the body container.

    Plain trafilatura keeps that toolbar as a first line `date 2025-06-03 + ↺ − 16 px`, the residue
    the pipeline must clean.
    """
    body = "\n".join(f"          <p>{escape(paragraph, quote=False)}</p>" for paragraph in seed.paragraphs)
    share = escape(quote(canonical, safe=""), quote=True)
    read_more = "\n".join(
        f'            <li><a href="{escape(href, quote=True)}">{escape(text)}</a></li>'
        for href, text in related
    )
    day = f"{seed.published:%Y-%m-%d}"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{escape(seed.title)} | News.az</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="canonical" href="{escape(canonical, quote=True)}">
  <meta property="og:site_name" content="News.az">
  <meta property="og:title" content="{escape(seed.title)}">
  <meta property="og:url" content="{escape(canonical, quote=True)}">
  <meta property="og:type" content="article">
  <meta property="article:published_time" content="{seed.published.isoformat()}">
  <meta property="article:section" content="Politics">
</head>
<body class="page-news">
  <header class="header">
    <div class="header__top"><a class="header__logo" href="/">News.az</a>
      <span class="header__weather">Baku +27°</span></div>
    <nav class="header__menu"><ul>
      <li><a href="/politics/">Politics</a></li><li><a href="/economy/">Economy</a></li>
      <li><a href="/society/">Society</a></li><li><a href="/region/">Region</a></li>
      <li><a href="/world/">World</a></li><li><a href="/sport/">Sport</a></li>
    </ul></nav>
  </header>
  <main class="main">
    <div class="container">
      <article class="article">
        <div class="article__category"><a href="/politics/">Politics</a></div>
        <h1 class="article__title">{escape(seed.title)}</h1>
        <div class="article__body js-article-text">
          <p class="article__tools"><span class="article__date"><span class="label">date</span> <span class="value">{day}</span></span>
            <span class="font-size" data-default="16"><span class="font-size__btn js-font-plus" role="button">+</span>
            <span class="font-size__btn js-font-reset" role="button">↺</span>
            <span class="font-size__btn js-font-minus" role="button">−</span>
            <span class="font-size__value"><span class="js-font-value">16</span> px</span></span></p>
{body}
        </div>
        <div class="article__share">
          <span>Share:</span>
          <a class="share share--facebook" href="https://www.facebook.com/sharer/sharer.php?u={share}">Facebook</a>
          <a class="share share--twitter" href="https://twitter.com/intent/tweet?url={share}">Twitter</a>
          <a class="share share--whatsapp" href="https://api.whatsapp.com/send?text={share}">WhatsApp</a>
        </div>
        <section class="read-more">
          <h3 class="read-more__title">Read more</h3>
          <ul class="read-more__list">
{read_more}
          </ul>
        </section>
      </article>
    </div>
  </main>
  <footer class="footer">
    <p>News.az — news of Azerbaijan and the world. All rights reserved.</p>
    <ul><li><a href="/about/">About</a></li><li><a href="/contacts/">Contacts</a></li>
      <li><a href="/advertising/">Advertising</a></li></ul>
  </footer>
</body>
</html>
"""
