"""robots.txt rules for our user agent (RFC 9309): allowed paths and crawl-delay.

urllib.robotparser is not used: it ignores the `*` and `$` patterns of RFC 9309, applies the
first matching rule instead of the longest, and drops a fractional Crawl-delay.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

_MAX_LINES = 50_000


@dataclass(frozen=True, slots=True)
class Rule:
    """One Allow or Disallow line, its pattern compiled."""

    allow: bool
    path: str
    pattern: re.Pattern[str]

    def matches(self, target: str) -> bool:
        return self.pattern.match(target) is not None


@dataclass(frozen=True)
class RobotsRules:
    """Parsed robots.txt of one host; `allow_all` when it is missing, `unreachable` when it failed."""

    rules: tuple[Rule, ...]
    user_agent: str
    unreachable_reason: str | None = None  # set when robots.txt answered 5xx or not at all
    unreachable_status: int | None = None
    delay: float | None = field(default=None)

    @classmethod
    def allow_all(cls, user_agent: str) -> RobotsRules:
        return cls((), user_agent)

    @classmethod
    def unreachable(cls, user_agent: str, reason: str, *, status: int | None = None) -> RobotsRules:
        """RFC 9309: an unreachable robots.txt means complete disallow until it can be read."""
        return cls((), user_agent, reason, status)

    def can_fetch(self, url: str) -> bool:
        """The longest matching rule decides; Allow wins a tie; no match allows."""
        if self.unreachable_reason is not None:
            return False
        if url.rstrip("/").endswith("/robots.txt"):
            return True
        target = _target(url)
        best: Rule | None = None
        for rule in self.rules:
            if rule.matches(target) and (
                best is None
                or len(rule.path) > len(best.path)
                or (len(rule.path) == len(best.path) and rule.allow)
            ):
                best = rule
        return best is None or best.allow

    def crawl_delay(self) -> float | None:
        return self.delay


def product_token(user_agent: str) -> str:
    """'newsflow' of 'newsflow/0.1 (+https://...)': what robots.txt groups are written for."""
    return user_agent.split("/", 1)[0].split()[0].strip().lower() if user_agent.strip() else "*"


def _target(url: str) -> str:
    parts = urlsplit(url)
    path = _normalize(parts.path or "/")
    return f"{path}?{parts.query}" if parts.query else path


def _normalize(path: str) -> str:
    # Compare percent-encoded forms, so /café and /caf%C3%A9 are the same path.
    return quote(unquote(path), safe="/?&=:;@!$'()*+,~%-._")


def _compile(path: str) -> re.Pattern[str]:
    anchored = path.endswith("$")
    body = path[:-1] if anchored else path
    regex = ".*".join(re.escape(part) for part in _normalize(body).split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.DOTALL)


def _seconds(value: str) -> float | None:
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 and math.isfinite(seconds) else None


def parse_robots(text: str, *, user_agent: str) -> RobotsRules:
    """Parse robots.txt text for `user_agent`: its own groups if any, else the `*` groups."""
    token = product_token(user_agent)
    groups: list[tuple[set[str], list[Rule], list[float]]] = []
    agents: set[str] = set()
    in_rules = False
    for raw in text.splitlines()[:_MAX_LINES]:
        line = raw.split("#", 1)[0].strip()
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "user-agent":
            if in_rules or not groups:
                agents = set()
                groups.append((agents, [], []))
                in_rules = False
            agents.add(value.split("/", 1)[0].strip().lower() or "*")
        elif key in ("allow", "disallow") and groups:
            in_rules = True
            if value:  # an empty Disallow allows everything, which is the default
                groups[-1][1].append(Rule(key == "allow", _normalize(value), _compile(value)))
        elif key == "crawl-delay" and groups:
            in_rules = True
            delay = _seconds(value)
            if delay is not None:
                groups[-1][2].append(delay)
    mine = [g for g in groups if token in g[0]] or [g for g in groups if "*" in g[0]]
    rules = tuple(rule for _, group_rules, _ in mine for rule in group_rules)
    delays = [delay for _, _, group_delays in mine for delay in group_delays]
    return RobotsRules(rules, user_agent, delay=max(delays) if delays else None)
