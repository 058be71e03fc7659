"""robots.txt rules: the group for our product token, crawl-delay, and an unreachable file."""

from __future__ import annotations

from newsflow.fetch.robots import RobotsRules, parse_robots

AGENT = "newsflow/0.1 (+mailto:ops@example.org)"
ROBOTS = """
User-agent: *
Disallow: /private/

User-agent: newsflow
Disallow: /drafts/
Crawl-delay: 2.5

User-agent: otherbot
Disallow: /
"""


def test_our_group_applies_to_us() -> None:
    rules = parse_robots(ROBOTS, user_agent=AGENT)
    assert not rules.can_fetch("http://example.com/drafts/1.html")
    # Our own group replaces the * group: /private/ is not ours to avoid.
    assert rules.can_fetch("http://example.com/private/1.html")
    assert rules.can_fetch("http://example.com/news/1.html")
    assert rules.crawl_delay() == 2.5


def test_the_star_group_applies_to_others() -> None:
    rules = parse_robots(ROBOTS, user_agent="somebot/1.0")
    assert not rules.can_fetch("http://example.com/private/1.html")
    assert rules.can_fetch("http://example.com/drafts/1.html")
    assert rules.crawl_delay() is None


def test_missing_robots_allows_everything() -> None:
    rules = RobotsRules.allow_all(AGENT)
    assert rules.can_fetch("http://example.com/anything") and rules.crawl_delay() is None


def test_unreachable_robots_allows_nothing_and_says_why() -> None:
    rules = RobotsRules.unreachable(AGENT, "HTTP 503 Service Unavailable", status=503)
    assert not rules.can_fetch("http://example.com/news/1.html")
    assert rules.unreachable_reason == "HTTP 503 Service Unavailable" and rules.unreachable_status == 503


def test_garbage_robots_is_harmless() -> None:
    rules = parse_robots("\x00\x01 not robots at all\nDisallow /x\n", user_agent=AGENT)
    assert rules.can_fetch("http://example.com/x")


def test_rfc9309_patterns_and_the_longest_match() -> None:
    text = """
User-agent: newsflow
Disallow: /
Allow: /news/
Disallow: /news/*?print=
Disallow: /*.pdf$
Allow: /news/archive/$
"""
    rules = parse_robots(text, user_agent=AGENT)
    assert rules.can_fetch("http://example.com/news/1.html")
    assert not rules.can_fetch("http://example.com/about")
    assert not rules.can_fetch("http://example.com/news/1.html?print=1")
    assert not rules.can_fetch("http://example.com/news/report.pdf")
    assert rules.can_fetch("http://example.com/news/report.pdf?download=1")
    assert rules.can_fetch("http://example.com/robots.txt")


def test_percent_encoding_does_not_dodge_a_rule() -> None:
    rules = parse_robots("User-agent: *\nDisallow: /café/\n", user_agent=AGENT)
    assert not rules.can_fetch("http://example.com/caf%C3%A9/1.html")
    assert not rules.can_fetch("http://example.com/café/1.html")


def test_groups_for_one_agent_merge_and_lines_may_share_a_group() -> None:
    text = (
        "User-agent: otherbot\nUser-agent: NewsFlow\nDisallow: /a/\n\nUser-agent: newsflow\nDisallow: /b/\n"
    )
    rules = parse_robots(text, user_agent=AGENT)
    assert not rules.can_fetch("http://example.com/a/1") and not rules.can_fetch("http://example.com/b/1")
