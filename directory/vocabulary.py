"""Codes of the project's taxonomies, stored as Open Referral taxonomy terms.

Each vocabulary is one HSDS `taxonomy` whose values are `taxonomy_term` rows. A
service carries a value through an `attribute` row that links the service to the
term. The seed writes the names and descriptions here into the database, while
visitor-facing wording lives in `content/labels.yml`.
"""

from dataclasses import dataclass
from typing import get_args

from directory.signposting.labels import Area

ROUTES_TAXONOMY = "sos-routes"
CHARACTERISTICS_TAXONOMY = "sos-characteristics"
FAITHS_TAXONOMY = "sos-faiths"
INCIDENT_TYPES_TAXONOMY = "sos-incident-types"
AREAS_TAXONOMY = "sos-areas"
FLAGS_TAXONOMY = "sos-flags"

ANY = "any"
LLR = "llr"
NATIONAL = "national"
OUTSIDE_LLR = "outside_llr"
ANONYMOUS_REPORTING = "anonymous-reporting"

# HSDS leaves `attribute.link_type` as an open code list; these are the codes
# this project writes, one for each taxonomy.
LINK_TYPES = {
    ROUTES_TAXONOMY: "service_type",
    CHARACTERISTICS_TAXONOMY: "eligibility",
    FAITHS_TAXONOMY: "eligibility",
    INCIDENT_TYPES_TAXONOMY: "eligibility",
    AREAS_TAXONOMY: "coverage",
    FLAGS_TAXONOMY: "feature",
}

# The nine council areas of Leicester, Leicestershire and Rutland.
COUNCIL_IDS = tuple(area for area in get_args(Area) if area != OUTSIDE_LLR)


@dataclass(frozen=True)
class Term:
    """A taxonomy term as the seed writes it."""

    code: str
    name: str
    description: str


@dataclass(frozen=True)
class Vocabulary:
    """A taxonomy and its terms."""

    name: str
    description: str
    terms: tuple[Term, ...]


ROUTES = Vocabulary(
    ROUTES_TAXONOMY,
    "What a service does for someone affected by hate crime.",
    (
        Term("emergency", "Emergency", "Someone is in immediate danger or hurt."),
        Term("police_report", "Police report", "Reports to the police."),
        Term("online_report", "Online report", "Reports to the police online."),
        Term(
            "third_party_report",
            "Third-party report",
            "An organisation that reports to the police for the victim, or records "
            "incidents without the police.",
        ),
        Term(
            "anonymous_report",
            "Anonymous report",
            "Passes on information without the reporter's name.",
        ),
        Term("council_report", "Council report", "A council team takes reports."),
        Term("victim_support", "Victim support", "Support for victims of crime."),
        Term("emotional_support", "Emotional support", "Someone to talk to."),
        Term(
            "online_harms",
            "Online harms",
            "Helps get harmful online content taken down.",
        ),
        Term("crisis", "Crisis", "Suicide, self-harm and crisis support."),
        Term(
            "discrimination_advice",
            "Discrimination advice",
            "Advice on discrimination, usually a civil matter.",
        ),
    ),
)

CHARACTERISTICS = Vocabulary(
    CHARACTERISTICS_TAXONOMY,
    "Targeted characteristics a service covers.",
    (
        Term(ANY, "Any characteristic", "The service covers every characteristic."),
        Term("race", "Race", "Race, colour, nationality or ethnic origin."),
        Term("religion", "Religion", "Religion or belief, including perceived."),
        Term("disability", "Disability", "Physical, sensory, learning, mental health."),
        Term("sexual_orientation", "Sexual orientation", "Sexual orientation."),
        Term(
            "transgender_identity",
            "Transgender identity",
            "Transgender identity, including non-binary.",
        ),
        Term(
            "alternative_subculture",
            "Alternative subculture",
            "Goths, emos, punks, metallers and other alternative subcultures.",
        ),
        Term("sex_or_gender", "Sex or gender", "Misogyny and misandry."),
        Term("other", "Other", "Another characteristic."),
    ),
)

FAITHS = Vocabulary(
    FAITHS_TAXONOMY,
    "Faiths that a religion-specific service covers.",
    (
        Term("muslim", "Muslim", "Islam and Muslim people."),
        Term("jewish", "Jewish", "Judaism and Jewish people."),
        Term("sikh", "Sikh", "Sikhism and Sikh people."),
        Term("hindu", "Hindu", "Hinduism and Hindu people."),
        Term("christian", "Christian", "Christianity and Christian people."),
        Term("other_faith", "Other faith", "Another faith or belief."),
    ),
)

INCIDENT_TYPES = Vocabulary(
    INCIDENT_TYPES_TAXONOMY,
    "Kinds of incident a service deals with.",
    (
        Term(ANY, "Any incident", "The service deals with every kind of incident."),
        Term("physical_assault", "Physical assault", "Physical assault."),
        Term("verbal_abuse", "Verbal abuse", "Verbal abuse."),
        Term("threats", "Threats", "Threats."),
        Term("harassment", "Harassment", "Repeated or ongoing harassment."),
        Term("online_abuse", "Online abuse", "Abuse online or on social media."),
        Term(
            "criminal_damage",
            "Criminal damage",
            "Damage to property, including graffiti and arson.",
        ),
        Term(
            "hate_material",
            "Hate material",
            "Leaflets, letters, posters and graffiti messages.",
        ),
        Term(
            "discrimination",
            "Discrimination",
            "Refused a service, a job or a home.",
        ),
        Term("theft_or_robbery", "Theft or robbery", "Theft or robbery."),
        Term("sexual_offence", "Sexual offence", "Sexual offence."),
        Term("other", "Other", "Another kind of incident."),
    ),
)

FLAGS = Vocabulary(
    FLAGS_TAXONOMY,
    "Features of a service that signposting takes into account.",
    (
        Term(
            ANONYMOUS_REPORTING,
            "Anonymous reporting",
            "A report or contact can be made without giving a name.",
        ),
    ),
)

# The areas taxonomy is built by the seed from the councils in the data file,
# with the council terms as children of the `llr` term.
AREA_ROOT_TERMS = (
    Term(LLR, "Leicester, Leicestershire and Rutland", "All nine LLR council areas."),
    Term(NATIONAL, "National", "Available across the country."),
)

FIXED_VOCABULARIES = (ROUTES, CHARACTERISTICS, FAITHS, INCIDENT_TYPES, FLAGS)
