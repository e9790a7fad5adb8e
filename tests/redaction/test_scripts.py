"""Words in scripts other than the Latin alphabet: every run of them becomes a
PERSON placeholder, and emoji, punctuation and kept words stay. Every name is
invented."""

import dataclasses

import pytest
import regex

from directory.redaction import ConversationRedactor, RedactionEngine
from directory.redaction.scripts import NonLatinScriptRecognizer

NON_LATIN_LETTER = regex.compile(
    r"[\p{L}--\p{Script=Latin}--\p{Script=Common}]", flags=regex.V1
)


@pytest.mark.parametrize(
    "text",
    [
        "मेरे पड़ोसी राजेश ने",  # Hindi, Devanagari
        "جاري أحمد",  # Arabic
        "میرا پڑوسی عمران",  # Urdu
        "আমার প্রতিবেশী রহিম",  # Bengali
        "ਮੇਰਾ ਗੁਆਂਢੀ ਹਰਪ੍ਰੀਤ",  # Punjabi, Gurmukhi
        "મારો પાડોશી કિરણ",  # Gujarati
        "мой сосед Иван",  # Russian, Cyrillic
        "我的邻居王伟",  # Chinese
        "என் அயலவர் முருகன்",  # Tamil
        "ጎረቤቴ ሰላም",  # Tigrinya, Ge'ez
        "ο γείτονάς μου Γιώργος",  # Greek
    ],
)
def test_script_run_is_one_placeholder(
    redactor: ConversationRedactor, text: str
) -> None:
    assert redactor.redact(text) == "[PERSON_1]"


def test_script_words_inside_english(redactor: ConversationRedactor) -> None:
    redacted = redactor.redact("my neighbour राजेश keeps calling me a paki")

    assert redacted == "my neighbour [PERSON_1] keeps calling me a paki"


def test_emoji_and_punctuation_stay(redactor: ConversationRedactor) -> None:
    redacted = redactor.redact("राजेश!! 😡😡 (अहमद) ... Иван?")

    assert redacted == "[PERSON_1]!! 😡😡 ([PERSON_2]) ... [PERSON_3]?"


def test_punctuation_splits_runs(redactor: ConversationRedactor) -> None:
    assert redactor.redact("राजेश, सुनील") == "[PERSON_1], [PERSON_2]"
    assert redactor.redact("राजेश\nसुनील") == "[PERSON_1]\n[PERSON_2]"
    assert redactor.redact("راجيش و سنيل") == "[PERSON_3]"


def test_latin_words_split_runs(redactor: ConversationRedactor) -> None:
    redacted = redactor.redact("राजेश and Иван did it")

    assert redacted == "[PERSON_1] and [PERSON_2] did it"


def test_same_script_value_same_number(redactor: ConversationRedactor) -> None:
    assert redactor.redact("мой сосед Иван") == "[PERSON_1]"
    assert redactor.redact("Иван") == "[PERSON_2]"
    assert redactor.redact("иван again") == "[PERSON_2] again"
    assert redactor.redact("МОЙ СОСЕД ИВАН") == "[PERSON_1]"


def test_vowel_signs_tell_names_apart(redactor: ConversationRedactor) -> None:
    # Folding the virama or vowel signs as if they were accents would give
    # two different names one number.
    assert redactor.redact("प्रिया") == "[PERSON_1]"
    assert redactor.redact("परिया") == "[PERSON_2]"
    assert redactor.redact("पिरया") == "[PERSON_3]"
    assert redactor.redact("प्रिया") == "[PERSON_1]"


def test_joiners_stay_inside_word(redactor: ConversationRedactor) -> None:
    # Persian with a zero-width non-joiner, a Chinese name with a middle dot.
    assert redactor.redact("می\u200cخواهم!") == "[PERSON_1]!"
    assert redactor.redact("约翰·史密斯 did it") == "[PERSON_2] did it"


def test_no_non_latin_letter_left(redactor: ConversationRedactor) -> None:
    text = (
        "मेरे पड़ोसी राजेश ने मुझे धमकी दी 😡 and then جاري أحمد شتمني, "
        "мой сосед Иван saw it, 我的邻居王伟 too"
    )

    redacted = redactor.redact(text)

    assert NON_LATIN_LETTER.search(redacted) is None
    assert "😡" in redacted
    assert " and then " in redacted
    assert " saw it, " in redacted


def test_modifier_apostrophe_is_not_foreign(redactor: ConversationRedactor) -> None:
    # U+02BC is a letter of the Common script that some keyboards type for "'".
    text = "they donʼt care and wonʼt help"

    assert redactor.redact(text) == text


def test_accented_latin_is_not_foreign(redactor: ConversationRedactor) -> None:
    text = "a café in Oadby, the naïve police said nothing"

    assert redactor.redact(text) == text


def test_kept_words_stay_in_clear(engine: RedactionEngine) -> None:
    lexicon = dataclasses.replace(
        engine.lexicon, kept_words=engine.lexicon.kept_words | {"मुस्लिम"}
    )
    recognizer = NonLatinScriptRecognizer(lexicon)
    text = "राजेश मुस्लिम सुनील"

    runs = recognizer.find_runs(text)

    assert [text[start:end] for start, end in runs] == ["राजेश", "सुनील"]


def test_kept_list_has_no_foreign_words(engine: RedactionEngine) -> None:
    # The shipped kept list is all Latin alphabet today, so every non-Latin
    # word is redacted. test_kept_words_stay_in_clear covers a kept word in
    # another script.
    foreign = {
        word for word in engine.lexicon.kept_words if NON_LATIN_LETTER.search(word)
    }

    assert foreign == set()
