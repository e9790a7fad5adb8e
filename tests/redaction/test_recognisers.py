"""Each recogniser on messages written the way visitors write them: lower
case, missing punctuation, typing errors. Every value is invented."""

from collections.abc import Callable

import pytest

from directory.redaction import ConversationRedactor

CoveringTypes = Callable[[str, str], set[str]]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("ring me on 07700 900123 after 6", "07700 900123"),
        ("my numbr is 07700900123", "07700900123"),
        ("call 07700-900-123 pls", "07700-900-123"),
        ("his mobile (07700) 900123 keeps ringing", "(07700) 900123"),
        ("text +44 7700 900123", "+44 7700 900123"),
        ("its +447700900123", "+447700900123"),
        ("+44 (0)7700 900123 is mine", "+44 (0)7700 900123"),
        ("landline 0116 496 0123", "0116 496 0123"),
        ("home (0116) 4960123", "(0116) 4960123"),
        ("work number 020 7946 0123", "020 7946 0123"),
        ("0044 7700 900123 is my dads", "0044 7700 900123"),
    ],
)
def test_phone_numbers(covering_types: CoveringTypes, text: str, value: str) -> None:
    assert covering_types(text, value) == {"PHONE"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my postcode is le4 6ab", "le4 6ab"),
        ("we live at LE46AB", "LE46AB"),
        ("its le2  7xy near the shops", "le2  7xy"),
        ("postcode: LE11 3TU", "LE11 3TU"),
        ("it keeps happening round le2", "le2"),
        ("somewhere in LE18 i think", "LE18"),
        ("postcode is m1", "m1"),
    ],
)
def test_postcodes(covering_types: CoveringTypes, text: str, value: str) -> None:
    assert covering_types(text, value) == {"POSTCODE"}


def test_motorway_is_not_postcode(covering_types: CoveringTypes) -> None:
    assert covering_types("they followed me up the m1 to junction 22", "m1") == set()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("email me at dave.example@gmail.com", "dave.example@gmail.com"),
        ("its DAVE_99@HOTMAIL.CO.UK", "DAVE_99@HOTMAIL.CO.UK"),
        ("my email is j.bloggs @ outlook.com ok", "j.bloggs @ outlook.com"),
        ("send to jbloggs at gmail dot com", "jbloggs at gmail dot com"),
        (
            "email me on jo dot bloggs at gmail dot com",
            "jo dot bloggs at gmail dot com",
        ),
        (
            "its jo underscore bloggs at hotmail dot co dot uk",
            "jo underscore bloggs at hotmail dot co dot uk",
        ),
        ("jo_bloggs at hotmail dot co dot uk", "jo_bloggs at hotmail dot co dot uk"),
        ("its jo dash bloggs at outlook.com", "jo dash bloggs at outlook.com"),
        ("email jo dot bloggs@example.com", "jo dot bloggs@example.com"),
    ],
)
def test_email_addresses(covering_types: CoveringTypes, text: str, value: str) -> None:
    assert covering_types(text, value) == {"EMAIL"}


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        (
            "he made a page https://example-hate.biz/me about me",
            "https://example-hate.biz/me",
            "URL",
        ),
        ("look at www.example.org/posts/123", "www.example.org/posts/123", "URL"),
        ("his insta is @dazza_99 and he posts about me", "@dazza_99", "HANDLE"),
        ("the account @jay.b.1 keeps tagging me", "@jay.b.1", "HANDLE"),
        ("his tiktok is dazzab99", "dazzab99", "HANDLE"),
        ("username: kev_the_lad", "kev_the_lad", "HANDLE"),
    ],
)
def test_urls_and_handles(
    covering_types: CoveringTypes, text: str, value: str, entity_type: str
) -> None:
    assert covering_types(text, value) == {entity_type}


def test_insta_without_handle_is_kept(covering_types: CoveringTypes) -> None:
    assert covering_types("his insta is down today", "down") == set()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my ni number is qq 12 34 56 c", "qq 12 34 56 c"),
        ("national insurance QQ123456C", "QQ123456C"),
        ("ni no. ab 123456 d", "ab 123456 d"),
        ("its jz-12-34-56-a", "jz-12-34-56-a"),
    ],
)
def test_national_insurance_numbers(
    covering_types: CoveringTypes, text: str, value: str
) -> None:
    assert covering_types(text, value) == {"NI_NUMBER"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("the car was ab12 cde", "ab12 cde"),
        ("reg AB12CDE silver corsa", "AB12CDE"),
        ("an old van p123 abc followed me", "p123 abc"),
        ("a really old car ABC 123D", "ABC 123D"),
        ("number plate was xy51 zzt", "xy51 zzt"),
        ("the man in the red car eg06 met said", "eg06 met"),
        ("the van P75 NEW keeps parking outside", "P75 NEW"),
        ("reg was 1 abc", "1 abc"),
    ],
)
def test_vehicle_registrations(
    covering_types: CoveringTypes, text: str, value: str
) -> None:
    assert covering_types(text, value) == {"VEHICLE_REG"}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("it was 2 and a half hours", "and"),
        ("my dad is 70 and a lad pushed him", "is 70 and"),
        ("my grandad's 90 and sikh", "90 and"),
        ("we came off the a1 and stopped", "a1 and"),
    ],
)
def test_plate_rejects_words(
    covering_types: CoveringTypes, text: str, kept: str
) -> None:
    assert covering_types(text, kept) == set()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("my dob is 12/03/1985", "12/03/1985"),
        ("dob 3.4.88", "3.4.88"),
        ("i was born on 3rd march 1990", "3rd march 1990"),
        ("date of birth: 21 jan 2001", "21 jan 2001"),
        ("my birthday is march 3rd", "march 3rd"),
        ("hes 40, born 12-03-1985", "12-03-1985"),
        ("i was born in 1985 in kenya", "1985"),
    ],
)
def test_dates_of_birth(covering_types: CoveringTypes, text: str, value: str) -> None:
    assert covering_types(text, value) == {"DATE_OF_BIRTH"}


def test_recent_incident_date_is_kept(covering_types: CoveringTypes) -> None:
    assert covering_types("it happened on 12/03/2026 at night", "12/03/2026") == set()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("i live at 12 Melton Road", "12 Melton Road"),
        ("flat 3, 45 narborough rd", "flat 3, 45 narborough rd"),
        ("we're at 7a hazel close", "7a hazel close"),
        ("they smashed the window at 102 high street", "102 high street"),
        ("number 9 church lane", "number 9 church lane"),
        ("i live on hazel close", "hazel close"),
        ("im in flat 12 above the shop", "flat 12"),
        ("we live at 4 the crescent", "4 the crescent"),
    ],
)
def test_addresses(covering_types: CoveringTypes, text: str, value: str) -> None:
    assert covering_types(text, value) == {"ADDRESS"}


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("he hit me 3 times down the road", "3 times down the road"),
        ("its 20 mins walk from my house", "20 mins walk"),
        ("it happened on melton road last night", "melton road"),
        ("outside the shops on narborough rd", "narborough rd"),
        ("on my street", "my street"),
        ("it happened in saffron lane by the shops", "saffron lane"),
    ],
)
def test_non_addresses_are_kept(
    covering_types: CoveringTypes, text: str, kept: str
) -> None:
    assert covering_types(text, kept) == set()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my neighbour Dave keeps shouting at me", "Dave"),
        ("my neighbour dave keeps shouting at me", "dave"),
        ("a man called john smith spat at me", "john smith"),
        ("a woman named kasia pushed me", "kasia"),
        ("his name is Tomasz Nowak", "Tomasz Nowak"),
        ("his name's gaz", "gaz"),
        ("mr khan at number 4 shouted at us", "khan"),
        ("Mrs. Okonkwo saw it all", "Okonkwo"),
        ("my ex sigrun wont leave me alone", "sigrun"),
        ("priya and her mates laughed at me", "priya"),
        ("i told Mohammed about it", "Mohammed"),
        ("then Will came over and started", "Will"),
        ("the lad who did it is known as big baz", "baz"),
        ("jaspreet said they called her names", "jaspreet"),
        ("sigrun said i should report it", "sigrun"),
        ("its neil and sigrun from the flats", "sigrun"),
        ("my landlord, mr o'brien, wont help", "o'brien"),
        ("dave's dog bit me", "dave"),
        ("my neibour darius keeps parking on our drive", "darius"),
        ("kate white my manager keeps making jokes", "kate white"),
        ("guy harris from work keeps on at me", "guy harris"),
        ("my neighbour erling keeps shouting", "erling"),
        ("my neighbour dave smithers keeps shouting", "dave smithers"),
        ("his name is kwame asante-boateng", "kwame asante-boateng"),
        ("a man called tomasz wiśniewski", "tomasz wiśniewski"),
        ("a man called tomasz wozniakowski", "tomasz wozniakowski"),
        ("mr khan obuya keeps parking there", "khan obuya"),
    ],
)
def test_names(covering_types: CoveringTypes, text: str, name: str) -> None:
    assert covering_types(text, name) == {"PERSON"}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("my neiighbour maxime is racist", "maxime"),
        ("my landlrod kjetil wont fix it", "kjetil"),
        ("my dauhgter evald gets bullied at school", "evald"),
        ("jorunn from nxt door put dog mess through our door", "jorunn"),
        ("its vidar frmo the flats who did it", "vidar"),
        ("kjetil frm work keeps on at me", "kjetil"),
        ("his nmae is kjetil and he knows where i live", "kjetil"),
        ("kjetil thraetened me in the street", "kjetil"),
    ],
)
def test_names_after_misspelt_cues(
    covering_types: CoveringTypes, text: str, name: str
) -> None:
    assert covering_types(text, name) == {"PERSON"}


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("jorunn from nxt door put dog mess through our door", "nxt door"),
        ("my landlrod kjetil wont fix it", "landlrod"),
        ("they kept the form from school", "form"),
    ],
)
def test_misspelt_cues_are_kept(
    covering_types: CoveringTypes, text: str, word: str
) -> None:
    assert covering_types(text, word) == set()


def test_spelled_out_email_is_one_placeholder(redactor: ConversationRedactor) -> None:
    spelled = redactor.redact(
        "email me on jo underscore bloggs at hotmail dot co dot uk"
    )
    written = redactor.redact("or jo_bloggs@hotmail.co.uk")

    assert spelled == "email me on [EMAIL_1]"
    assert written == "or [EMAIL_1]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sarah tho was nice to me", "[PERSON_1] tho was nice to me"),
        ("dave wiv his mates", "[PERSON_1] wiv his mates"),
        ("i told sarah abt it", "i told [PERSON_1] abt it"),
    ],
)
def test_surname_skips_chat_words(
    redactor: ConversationRedactor, text: str, expected: str
) -> None:
    assert redactor.redact(text) == expected


def test_name_possessive_s_is_kept(redactor: ConversationRedactor) -> None:
    assert redactor.redact("dave's dog bit me") == "[PERSON_1]'s dog bit me"


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("they called me a paki", "paki"),
        ("he called the police on me", "police"),
        ("my neighbour keeps shouting", "keeps"),
        ("my friend killed herself", "killed"),
        ("taking the mick out of my accent", "mick"),
        ("go back to africa they said", "africa"),
        ("they wrote my name handwritten on a note", "handwritten"),
        ("change my title to Mx please", "Mx"),
        ("i used to self harm because of it", "self harm"),
        ("the landlord refused to rent us the flat", "refused"),
    ],
)
def test_name_cues_skip_everyday_words(
    covering_types: CoveringTypes, text: str, word: str
) -> None:
    assert covering_types(text, word) == set()
