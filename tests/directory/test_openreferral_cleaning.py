"""Tests of the value cleaning used by the Open Referral import."""

from datetime import UTC, date, datetime

import pytest

from directory.openreferral.areas import (
    InvalidPostcodeError,
    filter_for_area,
    filter_for_postcode,
    postcode_district,
)
from directory.openreferral.cleaning import (
    InvalidValueError,
    clean_email,
    clean_id,
    clean_line,
    clean_phone,
    clean_text,
    clean_url,
    derived_id,
    parse_date,
    parse_timestamp,
)


@pytest.mark.parametrize(
    ("raw", "number", "extension", "label_type"),
    [
        ("Tel: 0116 496 0123", "0116 496 0123", None, None),
        ("Telephone - 0116 496 0123", "0116 496 0123", None, None),
        ("tel.0116 496 0123", "0116 496 0123", None, None),
        ("Text 07700 900456", "07700 900456", None, "text"),
        ("SMS: 07700 900456", "07700 900456", None, "text"),
        ("Mobile: 07700 900456", "07700 900456", None, "cell"),
        ("Fax 0116 496 0999", "0116 496 0999", None, "fax"),
        ("Minicom: 0116 496 0998", "0116 496 0998", None, "textphone"),
        ("0116 496 0124 ext 2", "0116 496 0124", 2, None),
        ("0116 496 0124 x 15", "0116 496 0124", 15, None),
        ("+44 (0)116 496 0123", "+44 (0)116 496 0123", None, None),
        ("999", "999", None, None),
        ("<b>0116 496 0123</b>", "0116 496 0123", None, None),
    ],
)
def test_phone_labels_are_removed(
    raw: str, number: str, extension: int | None, label_type: str | None
) -> None:
    phone = clean_phone(raw)

    assert phone.number == number
    assert phone.extension == extension
    assert phone.label_type == label_type


@pytest.mark.parametrize("raw", ["call us any time", "", "Tel:", "12", "1" * 16])
def test_unusable_phones_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidValueError):
        clean_phone(raw)


def test_html_becomes_text() -> None:
    html = (
        "<p>Free &amp; <em>confidential</em>.</p>"
        "<ul><li>Drop-in</li><li>Phone</li></ul>"
        "<script>alert('x')</script><p>Line<br>break</p>"
    )

    assert (
        clean_text(html) == "Free & confidential.\n\n- Drop-in\n- Phone\n\nLine\nbreak"
    )


def test_plain_text_keeps_angle_brackets() -> None:
    assert clean_text("Ages 5 < 18 welcome") == "Ages 5 < 18 welcome"


def test_clean_line_joins_lines() -> None:
    assert clean_line("  Harbour\n Lane  <i>Trust</i> ") == "Harbour Lane Trust"


def test_naive_time_is_uk_local_time() -> None:
    summer = parse_timestamp("2026-07-01T10:00:00")
    winter = parse_timestamp("2026-01-15T10:00:00")

    assert summer == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert winter == datetime(2026, 1, 15, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-03-02T14:30:00Z", datetime(2026, 3, 2, 14, 30, tzinfo=UTC)),
        ("2026-03-02T14:30:00+01:00", datetime(2026, 3, 2, 13, 30, tzinfo=UTC)),
        ("02/03/2026 14:30", datetime(2026, 3, 2, 14, 30, tzinfo=UTC)),
        ("2026-03-02", datetime(2026, 3, 2, 0, 0, tzinfo=UTC)),
    ],
)
def test_timestamps_become_utc(raw: str, expected: datetime) -> None:
    assert parse_timestamp(raw) == expected


@pytest.mark.parametrize("raw", ["yesterday", "31/02/2026", "2026-13-01T00:00"])
def test_bad_timestamps_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidValueError):
        parse_timestamp(raw)


def test_dates_accept_uk_and_iso_forms() -> None:
    assert parse_date("15/01/2026") == date(2026, 1, 15)
    assert parse_date("2026-01-15T09:00:00") == date(2026, 1, 15)
    assert parse_date("") is None


def test_urls_and_emails() -> None:
    assert clean_url("www.example.org/help") == "https://www.example.org/help"
    assert clean_url("http://example.org") == "http://example.org"
    assert clean_email("mailto:help@example.org") == "help@example.org"
    with pytest.raises(InvalidValueError):
        clean_url("javascript:alert(1)")
    with pytest.raises(InvalidValueError):
        clean_email("not-an-email")


def test_ids() -> None:
    assert clean_id(42) == "42"
    assert clean_id(42.0) == "42"
    assert clean_id("  ") is None
    with pytest.raises(InvalidValueError):
        clean_id("x" * 101)


def test_derived_id_is_stable_and_case_blind() -> None:
    first = derived_id("service", "Harbour Trust", "Listening")
    second = derived_id("service", "harbour trust ", "LISTENING")

    assert first == second
    assert first != derived_id("service", "Harbour Trust", "Advice")


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("LE1 5WW", "LE1"), ("le15ww", "LE1"), ("LE11", "LE11"), (" de74  2sa ", "DE74")],
)
def test_postcode_district(postcode: str, district: str) -> None:
    assert postcode_district(postcode) == district


@pytest.mark.parametrize("postcode", ["", "banana", "LE1 5W", "12345"])
def test_invalid_postcodes(postcode: str) -> None:
    with pytest.raises(InvalidPostcodeError):
        postcode_district(postcode)


def test_postcode_filter_uses_district_councils() -> None:
    codes = filter_for_postcode("LE2 1AA").codes

    assert {"leicester", "oadby_and_wigston", "harborough"} <= codes
    assert {"llr", "national"} <= codes
    assert "rutland" not in codes


def test_postcode_outside_llr_is_national_only() -> None:
    assert filter_for_postcode("NG1 1AA").codes == {"national"}


def test_area_filters() -> None:
    assert filter_for_area("melton").codes == {"melton", "llr", "national"}
    assert filter_for_area("llr").codes == {"llr", "national"}
    assert filter_for_area("national").codes == {"national"}
