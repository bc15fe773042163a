"""Importing other tools' files (viewer.model.importers): the shared samples, and small
fixtures of our own for what they do not cover, bad files included. No Qt."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from viewer.model.dates import PartialDate, Precision, UncertainDate
from viewer.model.importers import forensic, import_file, load_any, plaso, timesketch
from viewer.model.importers.common import Builder, decode, progress_of
from viewer.model.importers.detect import HEAD_BYTES, detect
from viewer.model.limits import MAX_FILE_BYTES
from viewer.model.loader import LoadCancelled, TimelineError
from viewer.model.search import _facts_of
from viewer.model.timeline import Timeline

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples"
needs_samples = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"the shared samples are not at {SAMPLES}"
)


def by_title(timeline: Timeline, title: str):
    found = [e for e in timeline.events if e.title == title]
    assert len(found) == 1, f"{title!r}: {len(found)} events"
    return found[0]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8", newline="")
    else:
        path.write_bytes(text)
    return path


def refused(path: Path) -> str:
    with pytest.raises(TimelineError) as info:
        load_any(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


# --- the shared samples ----------------------------------------------------------------------


@needs_samples
def test_timelinejs_json_sample():
    t = load_any(SAMPLES / "timelinejs" / "women_in_computing.json")
    assert t.imported == "TimelineJS JSON"
    assert t.title == "Women in Computing"
    assert "important contributions women have made" in t.description
    assert len(t.events) == 10
    ada = by_title(t, "Ada Lovelace")
    assert ada.when.begin == PartialDate(1815, 12, 10)
    assert ada.when.until == PartialDate(1852, 11, 27)
    assert ada.when.precision is Precision.DAY and not ada.when.begin.is_instant
    assert ada.category == "Events"
    # HTML became plain text; its links and the media became link-only sources.
    assert ada.summary.startswith("Women have been programming since before it was a thing.")
    assert "<" not in ada.summary and "Ada Lovelace:" in ada.summary
    urls = {t.sources[c.source_id].url for c in ada.citations}
    assert "https://en.wikipedia.org/wiki/Ada_Lovelace" in urls
    assert any(u.endswith("Ada_Lovelace_portrait.jpg") for u in urls)
    assert all(s.file == "" and s.text == "" for s in t.sources.values())
    assert all(e.uncited for e in t.events)
    eniac = by_title(t, "...And the women who made it work")
    assert eniac.when.begin == PartialDate(1943, 7)
    assert eniac.when.until == PartialDate(1946)
    assert eniac.when.precision is Precision.YEAR
    hopper = by_title(t, "Grace Hopper invents the compiler")
    assert hopper.when.begin == PartialDate(1952) and hopper.when.until is None
    # A quote given as media is text: it is kept in the note, not as a link.
    clarke = by_title(t, "Edith Clarke: Bucking the Trend")
    assert clarke.note.startswith("Media: There is no demand for women engineers")


@needs_samples
def test_timelinejs_csv_sample_matches_its_json():
    csv = load_any(SAMPLES / "timelinejs" / "my-own-timeline.csv")
    js = load_any(SAMPLES / "timelinejs" / "women_in_computing.json")
    assert csv.imported == "TimelineJS spreadsheet CSV"
    assert csv.title == "MY OWN CSV"  # the row whose Type is 'title'
    assert len(csv.events) == 10
    assert [(e.title, e.when) for e in csv.events] == [(e.title, e.when) for e in js.events]
    perlman = by_title(csv, '"The Mother of the Internet"')
    assert perlman.when.begin == PartialDate(1985)
    (source,) = (csv.sources[c.source_id] for c in perlman.citations)
    assert source.url == "https://www.youtube.com/watch?v=I7FYG-XVgk4"
    assert source.title == "Imagining the Internet"  # the credit


@needs_samples
def test_timeline_project_sample():
    t = load_any(SAMPLES / "thetimelineproj" / "example.timeline")
    assert t.imported == "Timeline Project XML"
    (e,) = t.events
    assert e.title == "Test" and e.category == "Test"
    assert e.when.begin == PartialDate(2012, 7, 4, 13, 20)
    assert e.when.until is None  # start and end are the same moment
    assert e.when.precision is Precision.MINUTE and e.when.begin.is_floating
    assert t.categories["Test"].color == "#FF0000"
    assert e.uncited


@needs_samples
@pytest.mark.parametrize("name", ["sigma_events.csv", "sigma_events.jsonl"])
def test_timesketch_samples(name):
    t = load_any(SAMPLES / "timesketch" / name)
    assert len(t.events) == (4 if name.endswith(".csv") else 5)
    first = by_title(t, "A message")
    assert first.when.begin == PartialDate(2015, 7, 24, 19, 1, 1, offset=0)
    assert first.when.precision is Precision.SECOND and first.when.begin.is_instant
    assert first.category == "Write time"
    assert "extra_field_1: foo" in first.note
    install = by_title(t, "Install: zmap:amd64 (1.1.0-1) [Commandline: apt-get install zmap]")
    assert install.category == "foo"
    assert "parser: apt_history" in install.note
    if name.endswith(".jsonl"):
        sysmon = next(e for e in t.events if e.category == "Creation Time")
        assert sysmon.when.begin == PartialDate(2022, 1, 22, 23, 7, 43, 502205, places=6, offset=0)
        assert sysmon.when.precision is Precision.SUBSECOND


@needs_samples
def test_plaso_dynamic_sample():
    t = load_any(SAMPLES / "plaso" / "dynamic.log")
    assert t.imported == "plaso dynamic CSV"
    assert len(t.events) == 20
    assert set(t.categories) == {"Log File", "Cron log", "File stat"}
    leap = by_title(t, "[---] testing leap year in parsing  events take place in 2012 ---")
    assert leap.when.begin == PartialDate(2012, 2, 29, 1, 15, 43, offset=0)
    assert leap.category == "Log File"
    assert "timestamp_desc: Content Modification Time" in leap.note
    tagged = next(e for e in t.events if "tag: exit1 exit2" in e.note)
    assert tagged.when.begin == PartialDate(2012, 12, 18, 17, 54, 32, offset=0)
    # Nanoseconds are kept to the microsecond.
    stat = [e for e in t.events if e.category == "File stat"]
    assert stat and all(e.when.precision is Precision.SUBSECOND for e in stat)
    assert stat[0].when.begin.microsecond == 955519


@needs_samples
def test_aeon_sample():
    t = load_any(SAMPLES / "aeon" / "date_limits.csv")
    assert t.imported == "Aeon Timeline CSV"
    assert len(t.events) == 6  # the narrative folder has no date
    assert "'Chapter One' (no start date)" in t.description
    first = by_title(t, "Event 1")
    assert first.when.begin == PartialDate(0, 11, 19)  # BC 1 is year 0
    assert first.when.until == PartialDate(0, 12, 10)
    assert first.when.label() == "19 Nov 1 BC – 10 Dec 1 BC"
    two = by_title(t, "Event 2")
    assert two.when.until == PartialDate(1, 2, 25)
    five = by_title(t, "Event 5")
    assert (five.when.begin, five.when.until) == (PartialDate(99, 11, 29), PartialDate(100, 1, 17))
    assert five.category == "Untagged" and five.when.precision is Precision.DAY
    assert "Duration: 1 month, 2 weeks, 5 days" in five.note


# --- our own fixtures ------------------------------------------------------------------------


def test_our_own_format_still_goes_to_our_loader(builtin):
    path = builtin.path
    assert detect(path, path.read_bytes()[:4096]) == "own"
    assert not builtin.imported


def test_older_timelinejs_form(tmp_path):
    doc = {
        "timeline": {
            "headline": "<b>Old</b> form",
            "type": "default",
            "date": [
                {
                    "startDate": "2011,12,10",
                    "endDate": "2011,12,11",
                    "headline": "Two days",
                    "text": "<p>Some <i>text</i></p>",
                    "tag": "Politics",
                    "asset": {"media": "https://example.org/a.jpg", "credit": "Me"},
                },
                {"startDate": "-499", "headline": "Long ago"},
            ],
            "era": [{"startDate": "2011", "endDate": "2012", "headline": "An age"}],
        }
    }
    t = load_any(write(tmp_path, "old.json", json.dumps(doc)))
    assert t.title == "Old form"
    days = by_title(t, "Two days")
    assert (days.when.begin, days.when.until) == (
        PartialDate(2011, 12, 10),
        PartialDate(2011, 12, 11),
    )
    assert days.category == "Politics" and days.summary == "Some text"
    assert [t.sources[c.source_id].title for c in days.citations] == ["Me"]
    assert by_title(t, "Long ago").when.label() == "500 BC"
    era = by_title(t, "An age")
    assert era.category == "Era: An age" and era.when.is_range


def test_timelinejs_times_give_the_precision_present(tmp_path):
    doc = {
        "events": [
            {
                "start_date": {"year": 2020, "month": 5, "day": 1, "hour": 13, "minute": 30},
                "text": {"headline": "Minute"},
                "group": "G",
            },
            {
                "start_date": {
                    "year": "2020",
                    "month": "5",
                    "day": "1",
                    "hour": "13",
                    "minute": "30",
                    "second": "5",
                    "millisecond": "250",
                },
                "text": {"headline": "Millisecond"},
            },
        ],
        "eras": [
            {"start_date": {"year": 2019}, "end_date": {"year": 2021}, "text": {"headline": "E"}}
        ],
    }
    t = load_any(write(tmp_path, "t.json", json.dumps(doc)))
    minute = by_title(t, "Minute")
    assert minute.when.begin == PartialDate(2020, 5, 1, 13, 30)
    assert minute.when.begin.is_floating and minute.category == "G"
    ms = by_title(t, "Millisecond").when.begin
    assert ms == PartialDate(2020, 5, 1, 13, 30, 5, 250_000, places=3)
    assert by_title(t, "E").category == "Era: E"


def test_timeline_project_fuzzy_eras_links_and_bc(tmp_path):
    xml = """<?xml version="1.0" encoding="utf-8"?>
<timeline><version>2.0</version>
<categories><category><name>War</name><color>0,114,178</color></category></categories>
<events>
<event><start>-0043-03-15 00:00:00</start><end>-0043-03-15 00:00:00</end><text>Ides</text>
<fuzzy>True</fuzzy><category>War</category><description>Caesar &lt;b&gt;dies&lt;/b&gt;</description>
<hyperlink>https://example.org/ides</hyperlink></event>
<event><start>2012-07-04 00:00:00</start><end>2012-07-10 00:00:00</end><text>A week</text></event>
</events>
<eras><era><name>Late</name><start>2012-01-01 00:00:00</start><end>2012-12-31 00:00:00</end>
<color>200,200,200</color></era></eras>
</timeline>"""
    t = load_any(write(tmp_path, "x.timeline", xml))
    ides = by_title(t, "Ides")
    assert ides.when.begin == UncertainDate(PartialDate(-43, 3, 15), PartialDate(-43, 3, 15), True)
    assert ides.category == "War" and t.categories["War"].color == "#0072B2"
    assert ides.summary == "Caesar dies"
    assert [t.sources[c.source_id].url for c in ides.citations] == ["https://example.org/ides"]
    week = by_title(t, "A week")
    assert week.when.until == PartialDate(2012, 7, 10) and week.category == "Uncategorized"
    assert by_title(t, "Late").category == "Era: Late"


def test_timesketch_microsecond_timestamps_without_datetime(tmp_path):
    path = write(
        tmp_path,
        "ts.csv",
        "message,timestamp,timestamp_desc\n"
        "whole,1437764461000000,Write time\n"
        "fraction,1437764461000250,Write time\n",
    )
    t = load_any(path)
    assert t.imported == "Timesketch CSV"
    assert by_title(t, "whole").when.begin == PartialDate(2015, 7, 24, 19, 1, 1, offset=0)
    frac = by_title(t, "fraction").when.begin
    assert frac == PartialDate(2015, 7, 24, 19, 1, 1, 250, places=6, offset=0)


def test_plaso_json_line(tmp_path):
    lines = [
        {
            "__container_type__": "event",
            "__type__": "AttributeContainer",
            "timestamp": 1327218753000000,
            "timestamp_desc": "Content Modification Time",
            "data_type": "syslog:line",
            "message": "first\nsecond line",
            "parser": "syslog",
        },
    ]
    path = write(tmp_path, "p.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
    t = load_any(path)
    assert t.imported == "plaso json_line"
    (e,) = t.events
    assert e.title == "first" and e.summary == "first\nsecond line"
    assert e.category == "syslog:line"
    assert e.when.begin == PartialDate(2012, 1, 22, 7, 52, 33, offset=0)


def test_aeon_uncertain_dates_and_tags(tmp_path):
    path = write(
        tmp_path,
        "aeon.csv",
        "Label,Summary,Start Date,Latest Start Date,Earliest End Date,End Date,Tags\n"
        'Battle,"<p>Fought</p>",BC 44-03-15,BC 44-03-20,,BC 44-04,"War, Rome"\n',
    )
    (e,) = load_any(path).events
    assert e.when.begin == UncertainDate(PartialDate(-43, 3, 15), PartialDate(-43, 3, 20))
    assert e.when.until == PartialDate(-43, 4)
    assert e.category == "War" and "Tags: War, Rome" in e.note and e.summary == "Fought"


def test_imports_report_progress_and_can_be_cancelled(tmp_path):
    rows = "".join(f"m{k},{1437764461000000 + k},Write time\n" for k in range(20_000))
    path = write(tmp_path, "big.csv", "message,timestamp,timestamp_desc\n" + rows)
    seen: list[tuple[int, int]] = []
    t = load_any(path, progress=lambda d, n: seen.append((d, n)))
    assert len(t.events) == 20_000
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1][0] == seen[-1][1]
    flag = threading.Event()

    def cancel_halfway(done: int, total: int) -> None:
        if done >= 200:
            flag.set()

    with pytest.raises(LoadCancelled):
        load_any(path, progress=cancel_halfway, cancel=flag)


# --- bad files -------------------------------------------------------------------------------


def test_broken_csv_quoting(tmp_path):
    path = write(tmp_path, "q.csv", 'message,timestamp,timestamp_desc\n"open,1,x\n')
    assert refused(path).endswith("line 2: is not valid CSV (unexpected end of data)")


def test_a_row_with_too_many_fields(tmp_path):
    path = write(tmp_path, "w.csv", "message,timestamp,timestamp_desc\na,1,x,extra\n")
    assert refused(path).endswith("line 2: has 4 fields; the header has 3")


def test_xml_with_an_external_entity_is_refused_before_parsing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    xml = (
        '<?xml version="1.0"?>\n<!DOCTYPE timeline [<!ENTITY x SYSTEM "file://'
        f'{secret}">]>\n<timeline><events><event><start>2012-07-04 00:00:00</start>'
        "<text>&x;</text></event></events></timeline>"
    )
    message = refused(write(tmp_path, "x.timeline", xml))
    assert "line 2: has a DOCTYPE declaration; refused" in message and "SECRET" not in message


def test_billion_laughs_is_refused(tmp_path):
    entities = "".join(f'<!ENTITY lol{k} "{f"&lol{k - 1};" * 10}">' for k in range(1, 10))
    xml = (
        f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{entities}]>\n'
        "<timeline>&lol9;</timeline>"
    )
    assert "has a DOCTYPE declaration; refused" in refused(write(tmp_path, "b.timeline", xml))


def test_broken_xml(tmp_path):
    message = refused(write(tmp_path, "b.timeline", "<timeline><events>\n</timeline>"))
    assert ": line 2 column" in message and "not valid XML (mismatched tag)" in message


def test_a_csv_over_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.write(b"message,timestamp,timestamp_desc\n")
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no disk used
    read = []
    real_open = Path.open

    def tracking_open(self, mode="r", *args, **kwargs):
        handle = real_open(self, mode, *args, **kwargs)
        if self == path:
            original = handle.read
            handle.read = lambda n=-1: read.append(n) or original(n)
        return handle

    monkeypatch.setattr(Path, "open", tracking_open)
    assert refused(path) == f"{path}: is 190 MB; the limit is 190 MB"
    assert sum(n for n in read if n > 0) <= HEAD_BYTES  # only the head was read


def test_wrong_encodings(tmp_path):
    latin = write(
        tmp_path, "l.csv", "message,timestamp,timestamp_desc\ncaf\xe9,1,x\n".encode("latin-1")
    )
    assert refused(latin).endswith("line 2: is not valid UTF-8 text (save the file as UTF-8)")
    utf16 = write(tmp_path, "u.csv", "message,timestamp\n".encode("utf-16"))
    assert refused(utf16).endswith("line 1: is UTF-16 text; save it as UTF-8")


def test_a_byte_order_mark_is_allowed_in_csv(tmp_path):
    path = write(
        tmp_path, "bom.csv", b"\xef\xbb\xbfmessage,timestamp,timestamp_desc\na,1000000,x\n"
    )
    assert by_title(load_any(path), "a").when.begin == PartialDate(1970, 1, 1, 0, 0, 1, offset=0)


def test_formats_we_do_not_import_say_what_to_do(tmp_path):
    aeon = write(tmp_path, "story.aeon", b"PK\x03\x04" + b"\0" * 40)
    assert "export it as CSV from Aeon Timeline" in refused(aeon)
    page = write(tmp_path, "page.json", "<!DOCTYPE html><html><body>TimelineJS</body></html>")
    assert "is an HTML page, not a timeline" in refused(page)
    # A CSV of no known format is not refused: its columns are guessed (tests/test_generic_csv.py).


def test_bad_dates_name_their_row(tmp_path):
    ts = write(tmp_path, "d.csv", "message,datetime,timestamp_desc\na,yesterday,x\n")
    assert ": line 2: datetime: 'yesterday' is not a date" in refused(ts)
    aeon = write(tmp_path, "a.csv", "Label,Start Date\nx,BC 0-01-01\n")
    assert refused(aeon).endswith("line 2: 'BC 0-01-01' is not a date: there is no year 0 BC")
    js = write(tmp_path, "j.json", json.dumps({"events": [{"start_date": {"year": "abc"}}]}))
    assert refused(js).endswith("events[0].start_date: 'abc' is not a number")
    backwards = {"events": [{"start_date": {"year": 2020}, "end_date": {"year": 2019}, "text": {}}]}
    assert "events[0]: the end '2019' is before the start '2020'" in refused(
        write(tmp_path, "b.json", json.dumps(backwards))
    )


def test_html_is_only_ever_text(tmp_path):
    doc = {
        "events": [
            {
                "start_date": {"year": 2020},
                "text": {
                    "headline": "<img src='https://tracker.example/x.png'>Title",
                    "text": "<script>alert(1)</script><p>Words &amp; more</p>",
                },
            }
        ]
    }
    (e,) = load_any(write(tmp_path, "h.json", json.dumps(doc))).events
    assert e.title == "Title" and e.summary == "Words & more" and e.citations == ()


def test_deeply_nested_json_lines(tmp_path):
    line = '{"message": "m", "timestamp": 1, "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path = write(tmp_path, "deep.jsonl", '{"message": "a", "timestamp": 1000000}\n' + line)
    assert refused(path).endswith("line 2: JSON is nested too deeply")


# --- large forensic files: columns read fast, rows read one by one, one result ----------------
#
# The forensic importers keep a file's events as columns and make each event from its row when
# asked for (forensic.import_csv, import_jsonl); the row-by-row functions (read_csv, read_jsonl)
# are the definition. The same documents, hostile ones included, go through both.

FORENSIC = {
    "timesketch-csv": ("Timesketch CSV", timesketch, "csv"),
    "timesketch-jsonl": ("Timesketch JSONL", timesketch, "jsonl"),
    "plaso-csv": ("plaso dynamic CSV", plaso, "csv"),
    "plaso-jsonl": ("plaso json_line", plaso, "jsonl"),
}


def row_by_row(path: Path, kind: str) -> Timeline:
    """The timeline the row-by-row definition gives (every event an object)."""
    name, module, shape = FORENSIC[kind]
    steps = progress_of(None, None)
    b = Builder(path, name)
    text = decode(path, path.read_bytes())
    read = forensic.read_csv if shape == "csv" else forensic.read_jsonl
    read(b, text, steps, module.category_of)
    return b.build(steps)


def outcome(load) -> Timeline | str:
    try:
        return load()
    except TimelineError as exc:
        return str(exc)


def assert_same_import(path: Path, kind: str) -> Timeline | str:
    """Both paths give equal timelines (events, columns, categories, what was left out), or
    both refuse the file with the same message."""
    fast = outcome(lambda: import_file(path, kind))
    slow = outcome(lambda: row_by_row(path, kind))
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return fast
    assert list(fast.events) == list(slow.events)
    assert fast.events.starts == slow.events.starts and fast.events.ends == slow.events.ends
    assert fast.lanes[0] == slow.lanes[0] and list(fast.lanes[1]) == list(slow.lanes[1])
    assert fast.categories == slow.categories
    assert (fast.title, fast.description, fast.imported) == (
        slow.title,
        slow.description,
        slow.imported,
    )
    for e in slow.events[:: max(1, len(slow.events) // 50)]:  # found by id (a linear search)
        assert fast.event(e.id) == e
    assert fast.events.uncited == sum(map(slow.marked_uncited, slow.events))
    n = len(slow.events)
    assert fast.events.facts(0, n) == _facts_of(slow, tuple(slow.events))  # what search reads
    return fast


@needs_samples
@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("timesketch/sigma_events.csv", "timesketch-csv"),
        ("timesketch/sigma_events.jsonl", "timesketch-jsonl"),
        ("plaso/dynamic.log", "plaso-csv"),
    ],
)
def test_the_samples_read_as_columns_equal_them_read_row_by_row(name, kind):
    assert isinstance(assert_same_import(SAMPLES / name, kind), Timeline)


def test_columns_and_rows_agree_on_our_own_fixtures(tmp_path):
    csv_text = (
        "\ufeffmessage,timestamp,datetime,timestamp_desc,extra,datetime\r\n"
        '"two\nlines, quoted",1437764461000000,,Write time,x,2015-07-24T19:01:01.5+02:00\r\n'
        "\r\n"
        ",,,,,\r\n"
        "no time at all,,,Access time,y,\r\n"
        "zero,0,,Access time,,0000-00-00T00:00:00+00:00\r\n"
        "by stamp,1437764461000250,,  Access   time ,,\r\n"
        "spaces,,,   ,,  2015-07-24T19:01:01Z \r\n"
        "nanos,,,Write time,,2012-02-29T01:15:43.955519123+00:00\r\n"
        "same time,,,Write time,,2012-02-29T01:15:43.955519+00:00\r\n"
        "hour zone,,,Write time,,2012-02-29T01:15:43-0530\r\n"
        "year 0,,,Write time,,0000-03-01T00:00:00+00:00\r\n"
        "no zone,,,Write time,,2012-02-29T01:15:43\r\n"
        "minutes,,,Write time,,2012-02-29T01:15Z\r\n"
        "early,,,-,,1970-01-01T00:00:00.000001+00:00\r\n"
        "stamp underscores,1_000_000,,Write time,,\r\n"
        "stamp spaces, 2000000 ,,Write time,,\r\n"
        "old cr line,,,Write time,,2015-07-24T19:01:01+00:00\rnext,,,X,,2015-07-24T19:01:00Z\n"
    )
    t = assert_same_import(write(tmp_path, "ts.csv", csv_text), "timesketch-csv")
    assert isinstance(t, Timeline) and t.description.startswith("Left out: line 6 (no time)")
    plaso_csv = (
        "datetime,timestamp_desc,source,source_long,message,parser,display_name,tag\n"
        "2012-01-22T07:52:33+00:00,Mod,LOG,-,first,syslog,x,-\n"
        "2012-01-22T07:52:33+00:00,Mod,LOG,Log File,second,syslog,x,-\n"
        "2012-01-22T07:52:32+00:00,Mod,-,-,third,-,x,-\n"
        "2012-01-22T07:52:32+00:00,Mod,-,-,fourth,,x,-\n"
    )
    t = assert_same_import(write(tmp_path, "p.csv", plaso_csv), "plaso-csv")
    assert isinstance(t, Timeline) and list(t.categories) == ["LOG", "Log File", "Event"]
    lines = [
        {"message": "a", "timestamp": 1437764461000000, "timestamp_desc": "Write"},
        {"message": "b", "datetime": "2015-07-24T19:01:01+00:00", "timestamp_desc": ["x"]},
        {"message": "c", "timestamp": True, "extra": {"nested": [1, 2]}},
        {"message": "d", "timestamp": 1437764461000000.7, "timestamp_desc": 5},
        {"message": "e", "timestamp": "1437764461000001", "datetime": 17},
        {"message": ["not text"], "timestamp": 10**25 // 10**10},
        {"message": "f", "datetime": "2015-07-24T19:01:01+00:00", "datetime ": "twice"},
    ]
    text = (
        "\n".join(json.dumps(x) for x in lines) + '\n  \n\u00a0\n{"message": "g", "timestamp": 9}'
    )
    assert_same_import(write(tmp_path, "t.jsonl", text), "timesketch-jsonl")
    plaso_lines = [
        {"__container_type__": "event", "timestamp": 1, "data_type": "a:b", "parser": "p"},
        {"__container_type__": "event", "timestamp": 2, "source_long": "-", "parser": "p"},
        {"__container_type__": "event", "timestamp": 3, "source": None},
        {"__container_type__": "event", "timestamp": 3, "source": "NaN", "x": float("nan")},
    ]
    text = "\n".join(json.dumps(x) for x in plaso_lines)
    assert_same_import(write(tmp_path, "p.jsonl", text), "plaso-jsonl")


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("timesketch-csv", "message,timestamp\na,1\nb,2,3\nc,yesterday\n"),
        ("timesketch-csv", "message,datetime\na,2015-07-24T19:01:01Z\nb,yesterday\nc\n"),
        ("timesketch-csv", 'message,timestamp\na,-1\nb,1\n"c,1\n'),
        ("timesketch-csv", 'message,timestamp\na,x1\n"b,1\n'),
        ("timesketch-csv", "message,datetime\na,2015-02-30T00:00:00Z\n"),
        ("timesketch-csv", "message,datetime\na,2015-07-24T24:00:00Z\n"),
        ("timesketch-csv", "message,datetime\na,2015-07-24T23:00:60Z\n"),
        ("timesketch-csv", "message,datetime\na,2015-07-24T23:00:00+24:00\n"),
        ("timesketch-csv", "message,timestamp\na,99999999999999999999\n"),
        ("timesketch-csv", "message,timestamp\n\n \n"),
        ("timesketch-csv", "timestamp\n1\n"),
        ("timesketch-jsonl", '{"message": "a", "timestamp": 1}\n[1]\n'),
        ("timesketch-jsonl", '{"message": "a", "datetime": "no"}\n{"message": \n'),
        ("timesketch-jsonl", '{"message": "a", "timestamp": "x"}\n'),
        ("timesketch-jsonl", '{"message": "a", "timestamp": 1e300}\n'),
        ("timesketch-jsonl", '{"message": "a"}\n'),
        ("plaso-jsonl", '{"__container_type__": "event", "timestamp": NaN}\n'),
    ],
)
def test_columns_and_rows_refuse_alike(tmp_path, kind, text):
    name = "f.jsonl" if kind.endswith("jsonl") else "f.csv"
    message = assert_same_import(write(tmp_path, name, text), kind)
    assert isinstance(message, str) and "\n" not in message


def test_every_row_is_read_across_chunks(tmp_path, monkeypatch):
    """Rows that straddle the importer's chunks of rows and of bytes, quoted ones among them."""
    monkeypatch.setattr(forensic, "_CHUNK_BYTES", 5000)
    rows = ["message,timestamp,datetime,timestamp_desc"]
    for k in range(9000):
        message = f'"row {k}\n{"x" * 200}"' if k % 997 == 0 else f"row {k}"
        stamp = 1437764461000000 + (k % 50) * 1_000_000
        rows.append(f"{message},{stamp},,{('A', 'B', 'C')[k % 3]}")
    t = assert_same_import(write(tmp_path, "many.csv", "\n".join(rows) + "\n"), "timesketch-csv")
    assert isinstance(t, Timeline) and len(t.events) == 9000
    assert t.events[0].title == "row 0" and t.events[0].summary.startswith("row 0\nxxx")
    lines = [json.dumps({"message": f"m{k}", "timestamp": 10**15 - k}) for k in range(9000)]
    t = assert_same_import(write(tmp_path, "many.jsonl", "\n".join(lines)), "timesketch-jsonl")
    assert isinstance(t, Timeline) and t.events[0].title == "m8999"


_CELLS = st.sampled_from(
    ["", " ", "-", "a", "Write time", "x,y", 'say "hi"', "two\nlines", "cr\rline", "é", "\u2028"]
)
_DATETIMES = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0000-00-00T00:00:00+00:00",
            "yesterday",
            "2015-07-24T19:01:01Z",
            "2015-07-24 19:01:01Z",
            "2015-07-24t19:01:01Z",
            "2015-07-24T19:01-01Z",
            "2015-07-24T19-01:01Z",
            "2015-07-24T19:01:01:01Z",
            "2015-07-24T19:01:1Z",
            "2015-07-24T19:01:01+00:00 ",
            "2015-07-24T19:01:01+0000",
            "2015-07-24T19:01:01+00",
            "2015-07-24T19:01:01.Z",
            "2015-07-24T19:01:01.000000Z",
            "2015-07-24T19:01Z",
            "+2015-07-24T19:01:01Z",
            "2015-07-24T19:01:01Z\n",
            "２015-07-24T19:01:01Z",
        ]
    ),
    st.builds(
        "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}{}".format,
        st.integers(0, 9999),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 61),
        st.integers(0, 61),
        st.sampled_from(["", ".5", ".123456", ".123456789", ".1234567891"]),
        st.sampled_from(["Z", "+00:00", "-00:00", "+05:30", "-23:59", "+24:00", "+01:60", ""]),
    ),
    st.builds(  # valid ones, often the same second
        "2015-07-{:02d}T{:02d}:{:02d}:{:02d}{}+00:00".format,
        st.integers(1, 2),
        st.integers(0, 23),
        st.integers(0, 1),
        st.integers(0, 59),
        st.sampled_from(["", ".5", ".250000", ".123456789"]),
    ),
)
_STAMPS = st.one_of(
    st.sampled_from(["", "0", "00", "-1", "1.5", " 7", "x"]),
    st.integers(0, 2**64).map(str),
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    rows=st.lists(st.tuples(_CELLS, _STAMPS, _DATETIMES, _CELLS, _CELLS), min_size=1, max_size=12),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_columns_and_rows_agree_on_any_csv(tmp_path_factory, rows, ending):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=ending)
    writer.writerow(["message", "timestamp", "datetime", "timestamp_desc", "source_long"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("csv") / "any.csv"
    path.write_text(out.getvalue(), encoding="utf-8", newline="")
    for kind in ("timesketch-csv", "plaso-csv"):
        assert_same_import(path, kind)


_READ_BEFORE = forensic.Instants()


@settings(max_examples=1000, deadline=None, derandomize=True, database=None)
@given(text=_DATETIMES, stamp=st.one_of(_STAMPS, st.integers(-(2**70), 2**70), st.none()))
def test_fast_instants_are_the_ones_when_of_reads(text, stamp):
    """Instants.bounds gives what when_of's PartialDate gives, Instants.date that PartialDate,
    or they leave the row to when_of."""
    got = forensic.Instants().bounds(text, stamp)
    # Read again, and by an instance that has read every example before: from its memory of
    # the parts of texts, which must give the same.
    assert _READ_BEFORE.bounds(text, stamp) == got and _READ_BEFORE.bounds(text, stamp) == got
    # when_of reads the datetime, if there is one, and only then the timestamp.
    date = forensic.Instants().date(text) if text.strip() and text[:10] != "0000-00-00" else None
    try:
        when = forensic.when_of(Path("f.csv"), "line 2", {"datetime": text, "timestamp": stamp})
    except TimelineError:
        assert got is None and date is None
        return
    if got is not None:
        assert when is not None and got == (when.start, when.end)
    assert date is None or date == when


def test_a_file_that_changes_size_while_read_is_read_whole_or_refused(tmp_path, monkeypatch):
    """read_file reads into one buffer of the size stat() gave; a file that grew since is read
    to its end, unless that passes the limit; one that shrank is read to its end."""
    from viewer.model.importers import common

    path = write(tmp_path, "g.csv", "message,timestamp\n" + "a,1000000\n" * 20)
    real_stat = Path.stat
    claimed = {"size": 30}

    class Stat:
        def __init__(self, st):
            self.st_size = claimed["size"]
            self.st_mode = st.st_mode

    def stat(self, *args, **kwargs):
        st = real_stat(self, *args, **kwargs)
        return Stat(st) if self == path else st

    monkeypatch.setattr(Path, "stat", stat)
    steps = progress_of(None, None)
    assert bytes(common.read_file(path, steps)) == path.read_bytes()  # grew: read whole
    claimed["size"] = 10_000
    assert bytes(common.read_file(path, steps)) == path.read_bytes()  # shrank
    claimed["size"] = 30
    monkeypatch.setattr(common, "MAX_FILE_BYTES", 100)
    with pytest.raises(TimelineError, match="is over the size limit"):
        common.read_file(path, steps)
