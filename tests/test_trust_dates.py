"""Issue 11, dates: a date says exactly what it says, or is refused with the reason.

Times of day, offsets, signs, control characters, digits other than ASCII and words that are not
part of a date used to be dropped or misread (`-2022` as 2022 AD, `"2021 " + "of " * 330000` as
2021). Each is refused now, and every form the built-in timeline and the tests use still reads.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from viewer.model.dates import MAX_DATE_CHARS, DateError, PartialDate, parse_date

BUILT_IN = Path(__file__).parent.parent / "resources" / "binance-russia.json"


def refusal(text: str) -> str:
    with pytest.raises(DateError) as info:
        parse_date(text)
    return str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("+2022", "'+2022' is not a date: a + sign is only for years after 9999"),
        ("+2022-04-22", "'+2022-04-22' is not a date: a + sign is only for years after 9999"),
        ("-0000", "'-0000' is not a date: year 0 has no sign (write 0000)"),
        (
            "-22",
            "'-22' is not a date: a signed year is read only as ±YYYY, ±YYYY-MM or ±YYYY-MM-DD",
        ),
        (
            "-22 Apr 2022",
            "'-22 Apr 2022' is not a date: a signed year is read only as ±YYYY, ±YYYY-MM or "
            "±YYYY-MM-DD",
        ),
    ],
)
def test_a_sign_is_refused_not_dropped(text, message):
    assert refusal(text) == message


TIME = "is not a date: a time of day is read only as YYYY-MM-DDThh:mm (with :ss, .fff, Z or ±hh:mm)"


@pytest.mark.parametrize(
    "text",
    [
        "0:00 2022-04-22",
        "22 Apr 2022 23:59",
        "April 22, 2022 1:00",
        "2022/04/22 10:00",
        "2022-4-22T10:00",
    ],
)
def test_a_time_in_another_form_is_refused_not_dropped(text):
    assert refusal(text) == f"{text!r} {TIME}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2022-04-22T24:00", "no such time of day"),
        ("2022-04-22T23:60", "no such time of day"),
        ("2022-04-22T23:59:60", "no such time of day"),  # no leap seconds: not placeable
        ("2022-04-22T10:00+24:00", "+24:00 is not an offset from UTC"),
        ("2022-04-22T10:00-05:60", "-05:60 is not an offset from UTC"),
        ("-10000-01-01T10:00", "a time of day is read only in the years -9999 to 9999"),
    ],
)
def test_a_time_that_does_not_exist_is_refused_with_the_reason(text, message):
    assert refusal(text) == f"{text!r} is not a date: {message}"


@pytest.mark.parametrize(
    "text",
    [
        "2022-04-22T10:00:00.1234567",  # finer than a microsecond
        "2022-04-22T10:00:00.",
        "2022-04-22T10.5",  # a fraction of an hour
        "2022-04-22T1000",
        "2022-04-22T10:00Z+01:00",
        "2022-04-22t10:00",
        "2022-04-22T10:00z",
        "2022-04T10:00",  # a time needs a day
        "2022T10",
        "2022-04-22T10:00 Z",
    ],
)
def test_broken_times_are_refused(text):
    message = refusal(text)
    assert message.startswith(f"{text!r} is not a date")


@pytest.mark.parametrize(
    "text", ["2022-04-22\x00", "2022\x00", "\x002022", "2022-04-22\n", "April\t2021", "2021\x7f"]
)
def test_a_control_character_is_refused(text):
    assert refusal(text) == f"{text!r} is not a date: it contains a control character"


@pytest.mark.parametrize(
    "text",
    [
        "\u0662\u0660\u0662\u0662",  # Arabic-Indic ٢٠٢٢
        "\u0662\u0660\u0662\u0662-04-22",
        "22 April \u0662\u0660\u0662\u0662",
        "\uff12\uff10\uff12\uff12",  # full-width ２０２２
        "\uff12\uff10\uff12\uff12-04",
        "April \uff12\uff10\uff12\uff11",
        "2022-0\u0664-22",  # one digit among ASCII ones
        "\u00b2022",  # a superscript two
    ],
)
def test_digits_other_than_ascii_are_refused_in_every_form(text):
    assert refusal(text) == f"{text!r} is not a date: digits must be ASCII 0-9"


@pytest.mark.parametrize(
    "text",
    ["2022-", "T2022", "2022-04-", "2022--04", "2022-4-22", "20222", "2022.", "2022-04-22Z"],
)
def test_broken_iso_forms_are_refused(text):
    assert refusal(text) == f"{text!r} is not a date"


@pytest.mark.parametrize(
    "text",
    [
        "2021 of",
        "2021 of of",
        "April 2021 or so",
        "about April 2021",
        "Friday 22 April 2022",
        "22nd April 2022",
        "April April 2021",
        "22 23 April 2022",
        "2022 April",
        "April 2021 2022",
        "Apr-2021",
        "Aprl 2021",
        "the 22 of April 2022",
        "22 Apr 2022 BC",
    ],
)
def test_words_that_are_not_part_of_a_date_are_refused(text):
    assert refusal(text) == f"{text!r} is not a date"


def test_non_ascii_letters_are_refused_with_the_reason():
    assert refusal("22 Апр 2022") == (
        "'22 Апр 2022' is not a date: only English month names, ASCII digits and spaces are read"
    )


def test_a_long_text_is_refused_before_it_is_parsed():
    text = "2021 " + "of " * 330_000
    message = refusal(text)
    assert message.endswith(f"is not a date: it is longer than {MAX_DATE_CHARS} characters")
    assert message.startswith("'2021 of of") and len(message) < 300
    assert refusal(" " * 98 + "2021") == (
        f"{' ' * 98 + '2021'!r} is not a date: it is longer than 100 characters"
    )
    assert parse_date(" " * 48 + "2021" + " " * 48) == PartialDate(2021)


def test_a_numeric_date_with_the_day_and_month_in_doubt_is_refused():
    assert refusal("04/05/2022") == (
        "'04/05/2022' is not a date: day or month first? Write it as YYYY-MM-DD"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", PartialDate(2019)),
        ("2021-04", PartialDate(2021, 4)),
        ("2022-04-22", PartialDate(2022, 4, 22)),
        ("2022/04/22", PartialDate(2022, 4, 22)),
        ("2022/4/2", PartialDate(2022, 4, 2)),
        ("2022/04", PartialDate(2022, 4)),
        ("April 2021", PartialDate(2021, 4)),
        ("Apr 2021", PartialDate(2021, 4)),
        ("Apr. 2021", PartialDate(2021, 4)),
        ("april 2021", PartialDate(2021, 4)),
        ("APRIL 2021", PartialDate(2021, 4)),
        ("Sept 2021", PartialDate(2021, 9)),
        ("22 April 2022", PartialDate(2022, 4, 22)),
        ("22 Apr 2022", PartialDate(2022, 4, 22)),
        ("April 22, 2022", PartialDate(2022, 4, 22)),
        ("April 22 2022", PartialDate(2022, 4, 22)),
        ("22 April, 2022", PartialDate(2022, 4, 22)),
        ("Aug 2023", PartialDate(2023, 8)),
        ("  2019  ", PartialDate(2019)),
        ("1 Jan 0999", PartialDate(999, 1, 1)),
        ("Dec 9999", PartialDate(9999, 12)),
    ],
)
def test_the_forms_that_read(text, expected):
    assert parse_date(text) == expected
    assert parse_date(text).precision == expected.precision


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("April", "'April' has no year"),
        ("April 22", "'April 22' has no year"),
        ("22 April", "'22 April' has no year"),
        ("April 31 2022", "'April 31 2022' is not a date"),
        ("31 Apr 2022", "'31 Apr 2022' is not a date"),
        ("0 Apr 2022", "'0 Apr 2022' is not a date"),
        ("2022/13/01", "'2022/13/01' is not a date"),
        ("Apr 0000", "'Apr 0000' is not a date"),
    ],
)
def test_word_forms_still_say_what_is_missing_or_wrong(text, message):
    assert refusal(text) == message


def test_every_date_of_the_built_in_timeline_reads_as_before():
    doc = json.loads(BUILT_IN.read_text(encoding="utf-8"))
    texts = [e[k] for e in doc["events"] for k in ("date", "end") if k in e]
    assert texts
    for text in texts:
        assert parse_date(text).iso() == text.strip()
