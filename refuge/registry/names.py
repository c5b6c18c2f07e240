"""Names as they are stored and keyed: without the invisible characters a keyboard, a copied
text or a malicious form can slip in.

Zero-width spaces and joiners, direction marks and embeddings, the byte-order mark and other
format characters (Unicode category Cf) and control characters (Cc) change nothing a reader
sees but everything a comparison does: a name carrying one had no identity keys and could not
be found. They are removed before a name is stored, keyed or searched for.
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def clean_name(text: str) -> str:
    """The name without format and control characters, its spaces collapsed."""
    kept = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in unicodedata.normalize("NFC", text or "")
        if unicodedata.category(ch) not in ("Cf", "Cc") or ch in "\t\n\r"
    )
    return _SPACES.sub(" ", kept).strip()
