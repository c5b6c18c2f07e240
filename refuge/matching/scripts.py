"""Which writing system a piece of text is in.

A registration may mix scripts (a Latin document number beside an Arabic name), so detection
counts letters and answers with the script most of them belong to.
"""

from __future__ import annotations

from enum import StrEnum


class Script(StrEnum):
    ARABIC = "arabic"
    LATIN = "latin"
    CYRILLIC = "cyrillic"
    UNKNOWN = "unknown"


def char_script(ch: str) -> Script:
    """The script one character belongs to (digits, spaces and punctuation are UNKNOWN)."""
    cp = ord(ch)
    if 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F or 0x08A0 <= cp <= 0x08FF:
        return Script.ARABIC if ch.isalpha() or 0x064B <= cp <= 0x065F else Script.UNKNOWN
    if 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF:
        return Script.ARABIC
    if 0x0400 <= cp <= 0x052F:
        return Script.CYRILLIC if ch.isalpha() else Script.UNKNOWN
    if ch.isalpha() and (cp < 0x0250 or 0x1E00 <= cp <= 0x1EFF):
        return Script.LATIN
    if cp in (0x02BE, 0x02BF):  # scholarly hamza and ayn marks
        return Script.LATIN
    return Script.UNKNOWN


def detect_script(text: str) -> Script:
    """The script most letters of `text` are written in; UNKNOWN when it has no letters."""
    counts = {Script.ARABIC: 0, Script.LATIN: 0, Script.CYRILLIC: 0}
    for ch in text:
        script = char_script(ch)
        if script is not Script.UNKNOWN:
            counts[script] += 1
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else Script.UNKNOWN
