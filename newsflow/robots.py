"""robots.txt rules for our user agent: allowed paths and crawl-delay."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.robotparser import RobotFileParser


@dataclass(frozen=True)
class RobotsRules:
    """Parsed robots.txt of one host; `allow_all` when it is missing or unreadable."""

    parser: RobotFileParser | None
    user_agent: str

    @classmethod
    def allow_all(cls, user_agent: str) -> RobotsRules:
        return cls(None, user_agent)

    def can_fetch(self, url: str) -> bool:
        return self.parser is None or self.parser.can_fetch(self._agent, url)

    def crawl_delay(self) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self._agent)
        return float(delay) if delay is not None else None

    @property
    def _agent(self) -> str:
        # Match on the product token ("newsflow"), as robots.txt groups are written for it.
        return self.user_agent.split("/", 1)[0].strip() or "*"


def parse_robots(text: str, *, user_agent: str) -> RobotsRules:
    """Parse robots.txt text for `user_agent`."""
    parser = RobotFileParser()
    parser.parse(text.splitlines())
    return RobotsRules(parser, user_agent)
