"""What the metrics need to know about the text they score: its tokens for ROUGE, and its script.

rouge-score's own tokenizer keeps only `[a-z0-9]` and drops every other character, so Korean,
Japanese or Chinese text has no tokens at all (ROUGE 0 for a perfect answer, 1.0 for an unrelated
answer that shares a "VM"). `RougeTokenizer` keeps what it keeps, tokenized the same way, and adds:

- CJK text by character: each Han ideograph, Hiragana, Katakana and Hangul syllable is one token.
  Chinese and Japanese are written without spaces, so a word needs a segmenter (a dictionary this
  package does not ship); the character is the unit the field falls back to for them. Korean is
  split by syllable too rather than by space-separated eojeol: an eojeol glues the particle to the
  word (서울은 / 서울이 / 서울에서 are three different eojeol for one "Seoul"), so eojeol ROUGE
  counts a right answer in another case as a miss; syllables keep the stem's overlap.
- other letters (accented Latin, Cyrillic, Greek, ...) as words, split where rouge-score splits.

Text in `[a-z0-9]` only tokenizes exactly as rouge-score's default tokenizer does (lowercased, the
Porter stemmer on words longer than 3 characters), so English scores are what they were.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Scripts scored one character at a time (the ranges of the Unicode blocks).
_CJK_RANGES = (
    (0x1100, 0x11FF),  # Hangul Jamo (decomposed Korean)
    (0x3040, 0x309F),  # Hiragana
    (0x30A0, 0x30FF),  # Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo (ㅋㅋ)
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK unified ideographs extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA960, 0xA97F),  # Hangul Jamo extended A
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xD7B0, 0xD7FF),  # Hangul Jamo extended B
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x323AF),  # CJK unified ideographs extensions B..H
)
_CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in _CJK_RANGES)
# One CJK character, or a run of letters, digits and combining marks that are not CJK.
_TOKEN_RE = re.compile(rf"[{_CJK_CLASS}]|(?:(?![{_CJK_CLASS}])[^\W_]|[\u0300-\u036f])+")
_ASCII_WORD_RE = re.compile(r"^[a-z0-9]+$")


def is_cjk(char: str) -> bool:
    code = ord(char)
    return any(lo <= code <= hi for lo, hi in _CJK_RANGES)


class RougeTokenizer:
    """The `tokenizer=` of rouge_score.rouge_scorer.RougeScorer (it calls `.tokenize(text)`)."""

    def __init__(self, use_stemmer: bool = True) -> None:
        from nltk.stem import porter  # rouge-score's own dependency and stemmer

        self._stemmer = porter.PorterStemmer() if use_stemmer else None

    def tokenize(self, text: str) -> list[str]:
        # NFKC first: full-width Latin (ＶＭ) and half-width Katakana, common in Japanese text, become
        # the characters they stand for; ASCII text is left as it is.
        tokens = _TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower())
        if self._stemmer is None:
            return tokens
        # As rouge-score does: only English words (ASCII) longer than 3 characters are stemmed.
        return [self._stemmer.stem(t) if len(t) > 3 and _ASCII_WORD_RE.match(t) else t for t in tokens]


def is_latin_script(texts: Iterable[str]) -> bool:
    """True when most letters of `texts` are Latin (or there are no letters): the text the English
    encoder of BERTScore and the Flesch formula are made for."""
    latin = other = 0
    for text in texts:
        for char in text:
            if not char.isalpha():
                continue
            code = ord(char)
            # Basic Latin to Latin Extended-B, Latin Extended Additional, full-width Latin.
            if code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0xFF21 <= code <= 0xFF5A:
                latin += 1
            else:
                other += 1
    return latin >= other
