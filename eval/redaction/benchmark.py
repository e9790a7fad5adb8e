"""Measure the recall and precision of the redaction engine per entity type.

Messages are generated from victim-style templates (`templates_train.txt` and
`templates_test.txt` beside this script) filled with Faker's en_GB provider
and the project's place files. Half the messages are lower-cased and some get
typing errors outside the filled slots. The split is by template: the test
templates were not read while tuning the recognisers, so their figures are the
ones to quote.

Names come from two pools. Listed names are Faker en_GB first names and
surnames, which the name recogniser's word lists contain. Unlisted names are
first names from Faker locales the recogniser does not load, minus any name
in its lists, so they are found only by cue phrases and capital letters.

    .venvs/service/bin/python eval/redaction/benchmark.py --seed 20261204

Recall counts a filled slot as found when every character of it lies inside
some redacted span, of any type ("typed" recall needs the right type).
Precision counts a redacted span as right when it overlaps a filled personal
slot. "Kept" is the share of town and characteristic slots left untouched.
"""

import argparse
import csv
import importlib
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from faker import Faker

from directory.redaction import build_redactor
from directory.redaction.engine import Finding, RedactionEngine
from directory.redaction.lexicon import fold_accents

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
SLOT = re.compile(r"\{(\w+)\}")
ASCII_NAME = re.compile(r"^[A-Za-z]+(?:['-][A-Za-z]+)*$")

PERSON_SLOTS = {"first", "full", "surname"}
SLOT_TYPES = {
    "first": "PERSON",
    "full": "PERSON",
    "surname": "PERSON",
    "phone": "PHONE",
    "email": "EMAIL",
    "postcode": "POSTCODE",
    "outward": "POSTCODE",
    "address": "ADDRESS",
    "ni": "NI_NUMBER",
    "reg": "VEHICLE_REG",
    "dob": "DATE_OF_BIRTH",
    "handle": "HANDLE",
    "url": "URL",
    "town": "KEPT",
    "kept": "KEPT",
}
# Faker person locales the name recogniser does not load; their first names
# make the unlisted pool. The names of ne_NP are in Devanagari, which
# `ASCII_NAME` rejects, so that locale adds no names.
UNLISTED_LOCALES = (
    "da_DK",
    "sv_SE",
    "no_NO",
    "is_IS",
    "ga_IE",
    "ne_NP",
    "es_MX",
    "fr_CA",
)
KEPT_WORDS = (
    "muslim",
    "gay",
    "jewish",
    "sikh",
    "hindu",
    "black",
    "disabled",
    "trans",
    "lesbian",
    "polish",
    "autistic",
    "christian",
    "deaf",
    "asian",
    "somali",
    "Muslim",
    "Jewish",
    "Christian",
)
STREET_SUFFIXES = (
    "Road",
    "Street",
    "Lane",
    "Close",
    "Avenue",
    "Drive",
    "Way",
    "Crescent",
    "Gardens",
    "Grove",
    "Terrace",
    "rd",
    "st",
    "ave",
)
MONTHS = (
    "january february march april may june july august september october "
    "november december"
).split()
TARGETS = {
    "PHONE": 0.98,
    "EMAIL": 0.98,
    "POSTCODE": 0.98,
    "NI_NUMBER": 0.98,
    "VEHICLE_REG": 0.98,
    "PERSON": 0.90,
}


@dataclass(frozen=True)
class Span:
    """A filled slot of a generated message."""

    kind: str
    slot: str
    start: int
    end: int
    pool: str = ""


@dataclass(frozen=True)
class Sample:
    """A generated message with its filled slots."""

    template_id: str
    text: str
    spans: tuple[Span, ...]


class Generator:
    """Fill templates with random values, reproducibly for a seed."""

    def __init__(self, seed: int, unlisted_first_names: dict[str, list[str]]) -> None:
        self.random = random.Random(seed)
        self.faker = Faker("en_GB")
        self.faker.seed_instance(seed)
        self.unlisted = unlisted_first_names
        self.towns = read_towns()
        self.fillers: dict[str, Callable[[], str]] = {
            "phone": self.phone,
            "email": self.email,
            "postcode": self.postcode,
            "outward": self.outward,
            "address": self.address,
            "ni": self.ni_number,
            "reg": self.registration,
            "dob": self.date_of_birth,
            "handle": self.handle,
            "url": self.url,
            "town": lambda: self.random.choice(self.towns),
            "kept": lambda: self.random.choice(KEPT_WORDS),
        }

    def sample(self, template_id: str, template: str) -> Sample:
        """Fill one template. Half the samples are lower-cased, a fifth get
        typing errors between the slots."""
        lower = self.random.random() < 0.5
        typos = self.random.random() < 0.2
        text = ""
        spans = []
        position = 0
        for match in SLOT.finditer(template):
            text += self.typed(template[position : match.start()], lower, typos)
            slot = match.group(1)
            value, pool = self.fill(slot)
            if lower and slot not in {"kept"}:
                value = value.lower()
            spans.append(
                Span(SLOT_TYPES[slot], slot, len(text), len(text) + len(value), pool)
            )
            text += value
            position = match.end()
        text += self.typed(template[position:], lower, typos)
        return Sample(template_id, text, tuple(spans))

    def fill(self, slot: str) -> tuple[str, str]:
        if slot in PERSON_SLOTS:
            return self.person(slot)
        return self.fillers[slot](), ""

    def person(self, slot: str) -> tuple[str, str]:
        unlisted = self.random.random() < 0.3
        if unlisted:
            locale = self.random.choice(sorted(self.unlisted))
            first = self.random.choice(self.unlisted[locale])
        else:
            first = self.faker.first_name()
        pool = "unlisted" if unlisted else "listed"
        if slot == "first":
            return first, pool
        if slot == "surname":
            return self.faker.last_name(), "listed"
        return f"{first} {self.faker.last_name()}", pool

    def typed(self, text: str, lower: bool, typos: bool) -> str:
        if lower:
            text = text.lower()
        if not typos:
            return text
        words = text.split(" ")
        for index, word in enumerate(words):
            if len(word) > 3 and word.isalpha() and self.random.random() < 0.15:
                words[index] = self.misspell(word)
        return " ".join(words)

    def misspell(self, word: str) -> str:
        position = self.random.randrange(1, len(word) - 1)
        kind = self.random.choice(("swap", "drop", "double"))
        if kind == "swap":
            return (
                word[:position]
                + word[position + 1]
                + word[position]
                + word[position + 2 :]
            )
        if kind == "drop":
            return word[:position] + word[position + 1 :]
        return word[:position] + word[position] + word[position:]

    def phone(self) -> str:
        if self.random.random() < 0.4:
            return self.faker.phone_number()
        if self.random.random() < 0.5:
            return self.faker.cellphone_number()
        digits = "7" + "".join(str(self.random.randrange(10)) for _ in range(9))
        layouts = (
            f"0{digits}",
            f"0{digits[:4]} {digits[4:]}",
            f"0{digits[:4]} {digits[4:7]} {digits[7:]}",
            f"0{digits[:4]}-{digits[4:]}",
            f"+44 {digits[:4]} {digits[4:]}",
            f"+44{digits}",
            f"(0{digits[:4]}) {digits[4:]}",
            f"0044 {digits}",
        )
        return self.random.choice(layouts)

    def email(self) -> str:
        address = self.faker.free_email()
        return address.upper() if self.random.random() < 0.05 else address

    def postcode(self) -> str:
        code = self.faker.postcode()
        if self.random.random() < 0.3:
            code = code.replace(" ", "")
        return code

    def outward(self) -> str:
        return f"LE{self.random.randrange(1, 19)}"

    def address(self) -> str:
        number = self.faker.building_number()
        word = self.faker.last_name()
        suffix = self.random.choice(STREET_SUFFIXES)
        street = f"{number} {word} {suffix}"
        if self.random.random() < 0.2:
            street = f"flat {self.random.randrange(1, 40)}, {street}"
        return street

    def ni_number(self) -> str:
        letters = "ABCEGHJKLMNPRSTWXYZ"
        prefix = self.random.choice(letters) + self.random.choice(letters)
        digits = "".join(str(self.random.randrange(10)) for _ in range(6))
        suffix = self.random.choice("ABCD")
        layouts = (
            f"{prefix}{digits}{suffix}",
            f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}",
            f"{prefix} {digits} {suffix}",
            self.faker.ssn(),
        )
        return self.random.choice(layouts)

    def registration(self) -> str:
        if self.random.random() < 0.7:
            plate = self.faker.license_plate()
        else:
            letters = "ABCDEFGHJKLMNPRSTVWXY"
            plate = (
                self.random.choice(letters)
                + str(self.random.randrange(1, 999))
                + " "
                + "".join(self.random.choice(letters) for _ in range(3))
            )
        return plate

    def date_of_birth(self) -> str:
        born = self.faker.date_of_birth(minimum_age=10, maximum_age=90)
        layouts = (
            born.strftime("%d/%m/%Y"),
            born.strftime("%d/%m/%y"),
            born.strftime("%d.%m.%Y"),
            f"{born.day} {MONTHS[born.month - 1]} {born.year}",
            f"{born.day}th {MONTHS[born.month - 1][:3]} {born.year}",
        )
        return self.random.choice(layouts)

    def handle(self) -> str:
        return "@" + self.faker.user_name()

    def url(self) -> str:
        return self.faker.url().rstrip("/") + "/" + self.faker.user_name()


def read_towns() -> list[str]:
    towns = []
    for path in sorted((REPO_ROOT / "data").glob("llr_places*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["kind"] in {"city", "town", "neighbourhood"}:
                    towns.append(row["place"])
    return towns


def unlisted_first_names(engine: RedactionEngine) -> dict[str, list[str]]:
    """First names of each of `UNLISTED_LOCALES` that the engine's lexicon
    lacks, by locale."""
    lexicon = engine.lexicon
    known = (
        lexicon.first_names
        | lexicon.common_words
        | lexicon.kept_words
        | lexicon.place_names
    )
    pools = {}
    for locale in UNLISTED_LOCALES:
        module = importlib.import_module(f"faker.providers.person.{locale}")
        names = {
            str(name)
            for name in getattr(module.Provider, "first_names", ())
            if ASCII_NAME.match(fold_accents(str(name)))
            and str(name).lower() not in known
        }
        if names:
            pools[locale] = sorted(names)
    return pools


def read_templates(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def generate_samples(
    split: str, seed: int, per_template: int, unlisted: dict[str, list[str]]
) -> list[Sample]:
    """Fill each template of `split` ("train" or "test") `per_template` times."""
    generator = Generator(seed, unlisted)
    templates = read_templates(HERE / f"templates_{split}.txt")
    return [
        generator.sample(f"{split}-{number}", template)
        for number, template in enumerate(templates, start=1)
        for _ in range(per_template)
    ]


def covered(span: Span, findings: list[Finding], kind: str | None = None) -> bool:
    """Tell whether every non-space character of `span` is inside a finding
    (of type `kind`, when given)."""
    for position in range(span.start, span.end):
        if any(
            finding.start <= position < finding.end
            and (kind is None or finding.entity_type == kind)
            for finding in findings
        ):
            continue
        return False
    return True


def touched(span: Span, findings: list[Finding]) -> bool:
    return any(
        finding.start < span.end and span.start < finding.end for finding in findings
    )


def score(samples: list[Sample], engine: RedactionEngine) -> dict[str, Counter[str]]:
    """Run the engine on every sample and count hits per entity type."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for sample in samples:
        findings = engine.find(sample.text)
        personal = [span for span in sample.spans if span.kind != "KEPT"]
        for span in sample.spans:
            if span.kind == "KEPT":
                counts["KEPT"]["total"] += 1
                counts["KEPT"]["found"] += not touched(span, findings)
                continue
            rows = [span.kind]
            if span.pool:
                rows.append(f"{span.kind} ({span.pool})")
            for row in rows:
                counts[row]["total"] += 1
                counts[row]["found"] += covered(span, findings)
                counts[row]["typed"] += covered(span, findings, span.kind)
        for finding in findings:
            counts[finding.entity_type]["predicted"] += 1
            counts[finding.entity_type]["correct"] += any(
                finding.start < span.end and span.start < finding.end
                for span in personal
            )
    return counts


def print_table(title: str, counts: dict[str, Counter[str]]) -> None:
    print(f"\n{title}")
    header = (
        f"{'entity':<22} {'slots':>6} {'recall':>7} {'typed':>7} "
        f"{'spans':>6} {'precision':>9} {'target':>7}"
    )
    print(header)
    print("-" * len(header))
    for row in sorted(counts):
        if row == "KEPT":
            continue
        count = counts[row]
        recall = ratio(count["found"], count["total"])
        typed = ratio(count["typed"], count["total"])
        precision = ratio(count["correct"], count["predicted"])
        target = TARGETS.get(row, None)
        # Pool rows split the slots of a type; spans are counted per type only.
        spans = "" if "(" in row else str(count["predicted"])
        if "(" in row:
            precision = ""
        print(
            f"{row:<22} {count['total']:>6} {recall:>7} {typed:>7} "
            f"{spans:>6} {precision:>9} "
            f"{'' if target is None else f'{target:.2f}':>7}"
        )
    kept = counts["KEPT"]
    kept_ratio = ratio(kept["found"], kept["total"])
    print(f"{'kept words left alone':<22} {kept['total']:>6} {kept_ratio:>7}")


def ratio(part: int, whole: int) -> str:
    return "-" if whole == 0 else f"{part / whole:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261204, help="random seed")
    parser.add_argument(
        "--per-template",
        type=int,
        default=30,
        help="messages generated from each template (default 30)",
    )
    parser.add_argument(
        "--split",
        choices=("train", "test", "both"),
        default="both",
        help="which templates to score (default both)",
    )
    parser.add_argument(
        "--list-redactions",
        type=Path,
        metavar="JSONL",
        help="instead of the benchmark, print every span redacted in the "
        '"text" fields of a JSON-lines file, with totals per type',
    )
    parser.add_argument(
        "--show-misses",
        type=int,
        default=0,
        help="print up to this many missed slots of the scored split",
    )
    args = parser.parse_args(argv)

    started = time.perf_counter()
    engine = build_redactor()
    if args.list_redactions:
        list_redactions(args.list_redactions, engine)
        return 0
    unlisted = unlisted_first_names(engine)
    splits = ("train", "test") if args.split == "both" else (args.split,)
    sizes = ", ".join(f"{locale} {len(names)}" for locale, names in unlisted.items())
    print(f"seed {args.seed}, {args.per_template} messages per template")
    print(f"unlisted first names: {sizes}")
    for split in splits:
        templates = read_templates(HERE / f"templates_{split}.txt")
        samples = generate_samples(split, args.seed, args.per_template, unlisted)
        counts = score(samples, engine)
        print_table(
            f"{split}: {len(templates)} templates, {len(samples)} messages", counts
        )
        if args.show_misses:
            show_misses(samples, engine, args.show_misses)
    print(f"\n{time.perf_counter() - started:.1f} s in all")
    return 0


def list_redactions(path: Path, engine: RedactionEngine) -> None:
    """Print each span the engine redacts in the messages of `path`, to read
    for over-redaction, then the totals per type."""
    totals: Counter[str] = Counter()
    messages = 0
    with_redaction = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        text = json.loads(line)["text"]
        messages += 1
        findings = engine.find(text)
        with_redaction += bool(findings)
        for finding in findings:
            totals[finding.entity_type] += 1
            value = text[finding.start : finding.end]
            context = text[max(0, finding.start - 30) : finding.end + 30]
            print(f"{finding.entity_type:<14} {value!r:<24} {context!r}")
    print(f"\n{messages} messages, {with_redaction} with a redaction: {dict(totals)}")


def show_misses(samples: list[Sample], engine: RedactionEngine, limit: int) -> None:
    shown = 0
    for sample in samples:
        findings = engine.find(sample.text)
        for span in sample.spans:
            missed = (
                touched(span, findings)
                if span.kind == "KEPT"
                else not covered(span, findings)
            )
            if missed and shown < limit:
                value = sample.text[span.start : span.end]
                print(f"  {span.kind:<14} {value!r:<28} {sample.text}")
                shown += 1


if __name__ == "__main__":
    sys.exit(main())
