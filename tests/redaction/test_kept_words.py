"""Words that describe the situation and are not personal data on their own:
characteristics, faiths, towns and neighbourhoods, terms of abuse."""

import pytest

from directory.redaction import ConversationRedactor

KEPT_MESSAGES = (
    "im gay and my neighbour keeps calling me names",
    "I am Muslim and someone pulled my hijab off in Leicester",
    "they shouted at me for being a Christian",
    "my son is autistic and gets bullied at school in Loughborough",
    "someone put a sign saying no blacks on the door of the Sikh temple in Oadby",
    "I'm trans and got spat at on the bus to Hinckley",
    "they called me a paki and told me to go back to Pakistan",
    "we are a Jewish family in Braunstone Town and found graffiti on our car",
    "i'm deaf and the bus driver laughed at me in Melton Mowbray",
    "Polish lads in Highfields are getting abuse outside the Co-op",
    "a lesbian couple got attacked outside a pub in Market Harborough",
    "someone keeps leaving notes on my car at work, it says go home foreigner",
    "it happened at St Margaret's bus station on Monday",
    "Stop Hate UK told me to contact the police on 101 or 999",
)


@pytest.mark.parametrize("text", KEPT_MESSAGES)
def test_situation_words_kept(redactor: ConversationRedactor, text: str) -> None:
    assert redactor.redact(text) == text


@pytest.mark.parametrize(
    ("text", "kept", "redacted"),
    [
        ("my neighbour dave called me a muslim terrorist", "muslim terrorist", "dave"),
        ("a man called John in Wigston said im not welcome", "Wigston", "John"),
        ("i live at 4 hazel close, Oadby, im gay", "Oadby, im gay", "4 hazel close"),
    ],
)
def test_kept_words_beside_redactions(
    redactor: ConversationRedactor, text: str, kept: str, redacted: str
) -> None:
    result = redactor.redact(text)
    assert kept in result
    assert redacted not in result
