"""Tests of cleaning and checking the text that visitors type."""

import pytest

from directory.gateway.text import TextVerdict, check_text, clean_text

MAX_CHARS = 2000


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("they shouted at me", "they shouted at me"),
        ("they\x00 shouted", "they shouted"),
        ("\x00\x01\x02\x1b[31mred", "[31mred"),
        ("line one\r\nline two", "line one\nline two"),
        ("line one\rline two", "line one\nline two"),
        ("tab\tkept", "tab\tkept"),
        ("delete\x7f and c1\x85 removed", "delete and c1 removed"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("Zofia's café in Melton 😢", "Zofia's café in Melton 😢"),
        ("", ""),
    ],
)
def test_clean_text_removes_control_characters(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("", TextVerdict.EMPTY),
        ("   \n\t  ", TextVerdict.EMPTY),
        ("a" * MAX_CHARS, TextVerdict.OK),
        ("a" * (MAX_CHARS + 1), TextVerdict.TOO_LONG),
        ("  " + "a" * MAX_CHARS + "  ", TextVerdict.OK),
        ("/restart", TextVerdict.COMMAND),
        ('/inform{"area":"melton"}', TextVerdict.COMMAND),
        ("   /nlu_fallback", TextVerdict.COMMAND),
        ("/", TextVerdict.COMMAND),
        ("😢😡", TextVerdict.NO_WORDS),
        ("?!... --", TextVerdict.NO_WORDS),
        ("😢 2", TextVerdict.OK),
        ("they called me names", TextVerdict.OK),
        ('inform{"area":"melton"}', TextVerdict.OK),
        ("they said a/b was me", TextVerdict.OK),
        ("ہمیں دھمکی دی گئی", TextVerdict.OK),
    ],
)
def test_check_text_classifies_message(text: str, verdict: TextVerdict) -> None:
    assert check_text(text, MAX_CHARS) is verdict


def test_check_text_after_cleaning_catches_hidden_command() -> None:
    assert check_text(clean_text("\x00/restart"), MAX_CHARS) is TextVerdict.COMMAND
