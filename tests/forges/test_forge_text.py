"""Forge text is kept as the author wrote it, minus what can spoof or break the page."""

from upstream_xblock.forges.snapshot import (
    ELLIPSIS,
    MAX_TITLE_LENGTH,
    clean_description,
    clean_text,
)

WOMAN_TECHNOLOGIST = "\U0001F469\u200D\U0001F4BB"  # 👩‍💻: two emoji joined by a ZWJ
PERSIAN_WITH_ZWNJ = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # می‌خواهم
DEVANAGARI = "\u0915\u094d\u200d\u0937"  # a conjunct that needs its ZWJ and virama
FLAG_OF_SCOTLAND = "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"


def test_joiners_marks_and_emoji_sequences_are_kept():
    for text in (WOMAN_TECHNOLOGIST, PERSIAN_WITH_ZWNJ, DEVANAGARI, FLAG_OF_SCOTLAND,
                 "Caf\u0065\u0301 cr\u00e8me", "\u2764\ufe0f", "abc\u200fdef\u200e"):
        assert clean_text(f"Fix {text} here") == f"Fix {text} here", ascii(text)


def test_bidi_controls_that_can_spoof_are_removed():
    spoof = "Fix \u202eevil\u202c and \u2067isolated\u2069 \u202aembedded\u202c \u2066x\u2069"
    cleaned = clean_text(spoof)
    assert cleaned == "Fix evil and isolated embedded x"
    for control in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert control not in clean_text(f"a{control}b")


def test_controls_become_spaces_or_disappear():
    assert clean_text("line one\nline\ttwo\x00\x07\x1b[31m") == "line one line two[31m"
    assert clean_text("private \ue000 use") == "private  use"


def test_long_text_is_cut_with_an_ellipsis_within_the_limit():
    cleaned = clean_text("x" * 1000)
    assert len(cleaned) == MAX_TITLE_LENGTH and cleaned.endswith(ELLIPSIS)
    assert clean_text("y" * MAX_TITLE_LENGTH) == "y" * MAX_TITLE_LENGTH
    # No dangling joiner before the ellipsis.
    cut = clean_text(WOMAN_TECHNOLOGIST * 200, limit=10)
    assert cut.endswith(ELLIPSIS) and "\u200d" + ELLIPSIS not in cut and len(cut) <= 10


def test_descriptions_are_cut_without_an_ellipsis():
    assert not clean_description("code " * 5000).endswith(ELLIPSIS)
