"""The article's language as an ISO 639-1 code: the declared one in that form, or a guess from the
text's script and stop words when the page declares none."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

_THREE_TO_TWO = {
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "rus": "ru",
    "aze": "az",
    "ita": "it",
    "por": "pt",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "tur": "tr",
    "ukr": "uk",
    "jpn": "ja",
    "zho": "zh",
    "chi": "zh",
    "kor": "ko",
    "ara": "ar",
}


def normalize_language(raw: str | None) -> str | None:
    """ISO 639-1 code from values like 'en-US', 'en_GB', 'EN' or 'eng'."""
    if not raw:
        return None
    code = re.split(r"[-_\s,;]", raw.strip().lower(), maxsplit=1)[0]
    code = _THREE_TO_TWO.get(code, code)
    return code if re.fullmatch(r"[a-z]{2}", code) else None


# jusText (a trafilatura dependency) ships stop-word lists; these names map to ISO 639-1.
_STOPLIST_CODES = {
    "English": "en",
    "German": "de",
    "French": "fr",
    "Spanish": "es",
    "Italian": "it",
    "Portuguese": "pt",
    "Dutch": "nl",
    "Polish": "pl",
    "Czech": "cs",
    "Slovak": "sk",
    "Swedish": "sv",
    "Danish": "da",
    "Norwegian_Bokmal": "nb",
    "Finnish": "fi",
    "Hungarian": "hu",
    "Romanian": "ro",
    "Turkish": "tr",
    "Russian": "ru",
    "Ukrainian": "uk",
    "Bulgarian": "bg",
    "Serbian": "sr",
    "Croatian": "hr",
    "Greek": "el",
    "Indonesian": "id",
    "Malay": "ms",
    "Vietnamese": "vi",
    "Azerbaijani": "az",
    "Arabic": "ar",
    "Persian": "fa",
    "Urdu": "ur",
    "Hebrew": "he",
    "Hindi": "hi",
    "Catalan": "ca",
    "Lithuanian": "lt",
    "Latvian": "lv",
    "Estonian": "et",
    "Slovenian": "sl",
    "Tagalog": "tl",
    "Swahili": "sw",
}
_SCRIPT_LANGUAGES = (
    (re.compile(r"[\u3040-\u30ff]"), "ja"),  # kana: Japanese even among kanji
    (re.compile(r"[\uac00-\ud7af]"), "ko"),
    (re.compile(r"[\u4e00-\u9fff]"), "zh"),
    (re.compile(r"[\u0e00-\u0e7f]"), "th"),
    (re.compile(r"[\u0590-\u05ff]"), "he"),
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
MIN_DETECTION_WORDS = 20


@lru_cache(maxsize=1)
def _stoplists() -> dict[str, frozenset[str]]:
    import justext  # type: ignore[import-untyped]  # loaded on first use: reading ~40 word lists costs a few milliseconds

    return {code: frozenset(justext.get_stoplist(name)) for name, code in _STOPLIST_CODES.items()}


def _is_prose(line: str) -> bool:
    # Table rows ("1 Kyle Busch 5040 21") are names and numbers, and would vote for whichever
    # stop-word list happens to contain the names.
    tokens = line.split()
    alphabetic = [t for t in tokens if _WORD.fullmatch(t.strip(".,;:!?\"'()"))]
    return len(alphabetic) >= 6 and len(alphabetic) >= 0.8 * len(tokens)


def detect_language(text: str) -> str | None:
    """Guess the ISO 639-1 language of `text` from its script and stop words; None when unsure."""
    sample = text[:5000]
    for pattern, code in _SCRIPT_LANGUAGES:
        hits = len(pattern.findall(sample))
        if hits > 50 or hits > 0.2 * len(sample.strip()):
            return code
    # Prose lines only: tables and name lists match the larger stop-word lists by chance.
    prose = [line for line in sample.split("\n") if _is_prose(line)]
    words = [w.lower() for line in prose for w in _WORD.findall(line)]
    if len(words) < MIN_DETECTION_WORDS:
        return None
    counts = Counter(words)
    scores = {
        code: sum(n for word, n in counts.items() if word in stops) / len(words)
        for code, stops in _stoplists().items()
    }
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    # Stop words make up a third of running text; related languages share some of them.
    return best if score >= 0.15 and score >= 1.2 * runner_up else None
