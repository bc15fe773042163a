"""Large, valid timeline files for benchmarks: many events, each resting on real quotes.

    python -m benchmarks.make_timeline --events 100000 --seed 1 --shape bursty out.json

writes `out.json` and the source texts it cites in `out-sources/source-01.txt` … beside it (the
JSON names them relative to its own folder, as docs/format.md asks), and prints one line: the
path, the number of events and the file's size. From Python, `make_timeline(path, events, seed,
shape)` does the same without printing.

Shapes (how the events' start days fall between 2015-01-01 and 2024-12-31):

- `uniform` (the default): every day is as likely as any other.
- `bursty`: 90% of the events fall in five bursts of 3 to 14 days each, busiest in the middle
  of the burst; the other 10% are spread uniformly.

Every file is valid for the schema (resources/timeline.schema.json) and for the app's loader, and
every quote is a whole sentence or clause (20–40 characters) of its source text, so no event gets
a "quote not found" warning. The mix: 75% single days (`2022-04-22`), 10% months (`2021-04`), 5%
years (`2019`) and 10% ranges (with an `end`); 8% of the events cite two passages, 25% have a
`summary` (the title says the rest, as in a log), 3% have a `note` and 0.5% are `disputed_by`
another event. There are six categories and eight sources.

The same arguments give byte-identical files: all chance comes from `random.Random(seed)`, and
nothing depends on the clock, the platform or hash order. Different seeds give different files.
Events are written one per line as they are made, so memory stays small even for a million.
Records are kept short (about 190 bytes an event) so that a million events, about 181 MiB, fit
under the loader's 190 MiB limit (viewer.model.loader.MAX_FILE_BYTES).
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import json
import os
import random
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

SHAPES = ("uniform", "bursty")
FIRST_DAY = dt.date(2015, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)

# Okabe–Ito colours, as in viewer.model.timeline.PALETTE. The weights make some categories
# commoner than others, as in real data.
CATEGORIES = (
    ("transfer", "Transfers", "#0072B2", 30),
    ("login", "Logins", "#D55E00", 25),
    ("filing", "Filings", "#009E73", 15),
    ("meeting", "Meetings", "#CC79A7", 10),
    ("shipment", "Shipments", "#E69F00", 12),
    ("notice", "Notices", "#56B4E9", 8),
)
SOURCE_KINDS = (
    "Treasury ledger",
    "Compliance memo",
    "Port authority log",
    "Registry filings digest",
    "Login audit export",
    "Board meeting minutes",
    "Press cuttings",
    "Interview notes",
)
SOURCE_SENTENCES = (40, 70)  # sentences in each source text: a few KB
BURSTS = 5
BURST_DAYS = (3, 14)
BURST_SHARE = 0.9
RANGE_SHARE, DAY_SHARE, MONTH_SHARE = 0.10, 0.75, 0.10  # years take the rest (5%)
TWO_CITATIONS, NOTE_SHARE, DISPUTE_SHARE, SUMMARY_SHARE = 0.08, 0.03, 0.005, 0.25
QUOTE_LENGTH = (20, 40)

# Some names are not ASCII, so the files exercise UTF-8 and ensure_ascii=False.
CITIES = (
    "Zürich",
    "Kraków",
    "São Paulo",
    "Malmö",
    "Lisbon",
    "Tallinn",
    "Oslo",
    "Valletta",
    "Dubai",
    "Riga",
    "Porto",
    "Vilnius",
)
PEOPLE = (
    "Ana Ruiz",
    "Jonas Berg",
    "Mei Tanaka",
    "Omar Haddad",
    "Lena Novak",
    "Piotr Zieliński",
    "Sara Costa",
    "Idris Bello",
)
PORTS = ("Rotterdam", "Gdańsk", "Antwerp", "Piraeus", "Valencia", "Hamburg")
OFFICES = ("treasury", "compliance", "legal", "operations", "audit", "custody")
TOPICS = ("policy", "fee", "audit", "licence", "custody", "sanctions")
DEVICES = ("a new laptop", "an unknown phone", "a shared terminal", "a hotel network")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
CODES = ("KR", "TL", "MT", "LV", "PT", "CH")

# Sentences of the source texts. The long ones are quoted by a clause, not whole.
SENTENCES = (
    "The {office} office in {city} logged {n} transfers that week.",
    "{person} met the auditors in {city} on a {weekday}.",
    "A shipment of {n} crates was held at {port} for {k} days.",
    "Account {acct} moved {amount} units to a bank in {city}.",
    "Filing {code}-{n} was lodged late, according to {person}.",
    "Nobody in {city} could confirm the login from {device}.",
    "{person} said the meeting in {city} was cancelled — twice.",
    "Staff at {port} called the {weekday} inspection routine.",
    "The {topic} notice reached {city} {k} days after it was signed.",
    "According to {person}, the {office} team knew by {weekday}.",
    "Ledger page {n} lists {amount} units paid out in {city}.",
    "The {office} office in {city} reviewed {n} logins from {device}, and {person} signed the "
    "report on {weekday}, {k} days later than planned.",
    "When the {topic} rules changed in {city}, {person} asked for account {acct} to be frozen, "
    "but the {office} team did not reply for {k} days.",
    "Crates from {port} were counted twice, which explains the gap of {amount} units.",
)
NOTES = (
    "Only the order of entries in the {source} fixes this date.",
    "The {source} and a later report disagree by {k} days.",
    "Date inferred from the {source}; no day is given.",
    "The {source} was corrected later; the first version said {k} days earlier.",
)


Pick = Callable[[Sequence[str]], str]


def _fill(rng: random.Random, template: str) -> str:
    """`template` with every field it may name filled in at random."""
    return template.format(
        city=rng.choice(CITIES),
        person=rng.choice(PEOPLE),
        port=rng.choice(PORTS),
        office=rng.choice(OFFICES),
        topic=rng.choice(TOPICS),
        device=rng.choice(DEVICES),
        weekday=rng.choice(WEEKDAYS),
        code=rng.choice(CODES),
        n=rng.randint(2, 999),
        k=rng.randint(2, 30),
        acct=rng.randint(1000, 9999),
        amount=f"{rng.randint(100, 99_999):,}",
    )


def _source_text(rng: random.Random, title: str) -> tuple[str, list[str]]:
    """A source text of a few KB, and the passages of it that events may quote.

    A passage is a whole sentence, or a clause of a long one, of QUOTE_LENGTH characters: it
    occurs verbatim in the text because the text is made by joining those very sentences.
    """
    sentences: list[str] = []
    passages: dict[str, None] = {}  # a dict keeps the first-seen order; a set would not
    wanted = rng.randint(*SOURCE_SENTENCES)
    while len(sentences) < wanted or len(passages) < 10:
        sentence = _fill(rng, rng.choice(SENTENCES))
        sentences.append(sentence)
        for part in (sentence, *sentence.split(", ")):
            if QUOTE_LENGTH[0] <= len(part) <= QUOTE_LENGTH[1]:
                passages[part] = None
    paragraphs = []
    while sentences:
        size = rng.randint(3, 6)
        paragraphs.append(" ".join(sentences[:size]))
        del sentences[:size]
    text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
    return text, list(passages)


# Title and summary of an event of each category, from `r` (random.random) and `pick`.
def _transfer(r: Callable[[], float], pick: Pick) -> tuple[str, str]:
    amount = f"{int(r() * 99_900) + 100:,}"
    to, origin = int(r() * 9000) + 1000, int(r() * 9000) + 1000
    return (
        f"Transfer {amount} to {to}",
        f"Account {origin} sent {amount} units to account {to}.",
    )


def _login(r: Callable[[], float], pick: Pick) -> tuple[str, str]:
    account, city = int(r() * 9000) + 1000, pick(CITIES)
    return (
        f"Login {account} from {city}",
        f"Account {account} was opened from {pick(DEVICES)} in {city}.",
    )


def _filing(r: Callable[[], float], pick: Pick) -> tuple[str, str]:
    filing = f"{pick(CODES)}-{int(r() * 9000) + 1000}"
    city = pick(CITIES)
    return (
        f"Filing {filing}, {city}",
        f"Filing {filing} reached the {city} registry {int(r() * 29) + 2} days late.",
    )


def _meeting(r: Callable[[], float], pick: Pick) -> tuple[str, str]:
    person, office = pick(PEOPLE), pick(OFFICES)
    return (
        f"{person} meets {office}",
        f"{person} met the {office} team in {pick(CITIES)} on a {pick(WEEKDAYS)}.",
    )


def _shipment(r: Callable[[], float], pick: Pick) -> tuple[str, str]:
    number, port = int(r() * 90_000) + 10_000, pick(PORTS)
    return (
        f"Shipment {number} held",
        f"Shipment {number} was held at {port} for {int(r() * 29) + 2} days.",
    )


def _notice(r: Callable[[], float], pick: Pick) -> tuple[str, str]:
    topic, city = pick(TOPICS), pick(CITIES)
    return (
        f"{topic.capitalize()} notice {int(r() * 900) + 100} to {city}",
        f"The {topic} notice reached staff in {city}.",
    )


_WORDING = (_transfer, _login, _filing, _meeting, _shipment, _notice)


class _Calendar:
    """The date strings of every day, month and year of the span, made once so that each
    event only looks them up. Day k is FIRST_DAY + k days."""

    def __init__(self) -> None:
        self.days = (LAST_DAY - FIRST_DAY).days + 1
        dates = [FIRST_DAY + dt.timedelta(days=k) for k in range(self.days)]
        self.day_iso = [d.isoformat() for d in dates]
        self.month_of = [(d.year - FIRST_DAY.year) * 12 + d.month - 1 for d in dates]
        self.year_of = [d.year - FIRST_DAY.year for d in dates]
        self.month_iso = [
            f"{FIRST_DAY.year + m // 12:04d}-{m % 12 + 1:02d}" for m in range(self.month_of[-1] + 1)
        ]
        self.year_iso = [f"{FIRST_DAY.year + y:04d}" for y in range(self.year_of[-1] + 1)]


def _start_days(rng: random.Random, shape: str, days: int) -> Callable[[], int]:
    """A function giving the start day (0 .. days-1) of the next event, for `shape`."""
    r = rng.random
    if shape == "uniform":
        return lambda: int(r() * days)
    bursts = []
    for _ in range(BURSTS):
        length = rng.randint(*BURST_DAYS)
        bursts.append((rng.randrange(days - length + 1), length))

    def bursty() -> int:
        if r() >= BURST_SHARE:
            return int(r() * days)
        start, length = bursts[int(r() * BURSTS)]
        # Triangular: a burst builds up, peaks and dies down.
        return start + min(int(rng.triangular(0, length)), length - 1)

    return bursty


def _events(
    rng: random.Random, count: int, shape: str, sources: list[tuple[str, str, list[str]]]
) -> Iterator[dict]:
    """The events, one dict at a time, in id order. `sources` holds (id, kind, passages)."""
    r = rng.random

    def pick(seq: Sequence[str]) -> str:
        return seq[int(r() * len(seq))]

    cal = _Calendar()
    start_day = _start_days(rng, shape, cal.days)
    weights = [c[3] for c in CATEGORIES]
    cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
    total = cumulative[-1]
    last_day, last_month, last_year = cal.days - 1, len(cal.month_iso) - 1, len(cal.year_iso) - 1
    n_sources = len(sources)
    for i in range(1, count + 1):
        c = bisect.bisect_right(cumulative, r() * total)
        title, summary = _WORDING[c](r, pick)
        k = start_day()
        end = None
        u = r()
        if u < RANGE_SHARE:
            v = r()
            if v < 0.7:  # days to days, up to six weeks
                date, end = cal.day_iso[k], cal.day_iso[min(k + 1 + int(r() * 45), last_day)]
            elif v < 0.9:  # months to months
                m = cal.month_of[k]
                date = cal.month_iso[m]
                end = cal.month_iso[min(m + 1 + int(r() * 6), last_month)]
            else:  # years to years
                y = cal.year_of[k]
                date, end = cal.year_iso[y], cal.year_iso[min(y + 1 + int(r() * 3), last_year)]
        elif u < RANGE_SHARE + DAY_SHARE:
            date = cal.day_iso[k]
        elif u < RANGE_SHARE + DAY_SHARE + MONTH_SHARE:
            date = cal.month_iso[cal.month_of[k]]
        else:
            date = cal.year_iso[cal.year_of[k]]
        s = int(r() * n_sources)
        citations = [{"source": sources[s][0], "quote": pick(sources[s][2])}]
        if n_sources > 1 and r() < TWO_CITATIONS:
            other = sources[(s + 1 + int(r() * (n_sources - 1))) % n_sources]
            citations.append({"source": other[0], "quote": pick(other[2])})
        event: dict = {"id": f"e{i:07d}", "title": title, "date": date}
        if end is not None:
            event["end"] = end
        event["category"] = CATEGORIES[c][0]
        if r() < SUMMARY_SHARE:
            event["summary"] = summary
        if r() < NOTE_SHARE:
            event["note"] = pick(NOTES).format(source=sources[s][1], k=int(r() * 29) + 2)
        if count > 1 and r() < DISPUTE_SHARE:
            j = 1 + int(r() * (count - 1))  # any other event: 1..count without i
            event["disputed_by"] = [f"e{j + (j >= i):07d}"]
        event["citations"] = citations
        yield event


@contextmanager
def _atomic_write(path: Path) -> Iterator[TextIO]:
    """A text file that appears at `path` whole, or not at all: it is written beside it under
    a temporary name and renamed over `path` only once complete."""
    # Named by hand rather than with tempfile.mkstemp, whose 0600 mode would survive the rename.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as f:
            yield f
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def make_timeline(path: Path, events: int, seed: int, shape: str = "uniform") -> Path:
    """Write a valid timeline of `events` events at `path`, its sources in `<stem>-sources/`.

    The same arguments always give byte-identical files. Each file is replaced atomically.
    Returns `path`. Raises ValueError for an unknown shape or fewer than one event.
    """
    if shape not in SHAPES:
        raise ValueError(f"unknown shape {shape!r} (known: {', '.join(SHAPES)})")
    if events < 1:
        raise ValueError(f"a timeline needs at least one event, not {events}")
    path = Path(path)
    rng = random.Random(seed)
    folder = f"{path.stem}-sources"
    (path.parent / folder).mkdir(parents=True, exist_ok=True)

    sources_json = []
    sources = []
    for number, kind in enumerate(SOURCE_KINDS, start=1):
        title = f"{kind}, {rng.choice(CITIES)}"
        text, passages = _source_text(rng, title)
        file = f"{folder}/source-{number:02d}.txt"
        with _atomic_write(path.parent / file) as f:
            f.write(text)
        sid = f"s{number}"
        sources_json.append({"id": sid, "file": file, "title": title})
        sources.append((sid, kind.lower(), passages))
    sources_json[0]["description"] = "Generated text; no real document."

    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    head = {
        "version": 1,
        "title": f"Benchmark timeline: {events:,} events, {shape}, seed {seed}",
        "description": "Generated by benchmarks/make_timeline.py. None of it happened.",
        "categories": [{"id": c[0], "label": c[1], "color": c[2]} for c in CATEGORIES],
        "sources": sources_json,
    }
    with _atomic_write(path) as f:
        # One event a line: the file streams out as it is made, and stays readable in a pager.
        f.write(encode(head)[:-1] + ',"events":[\n')
        separator = ""
        for event in _events(rng, events, shape, sources):
            f.write(separator + encode(event))
            separator = ",\n"
        f.write("\n]}\n")
    return path


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.make_timeline", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("out", type=Path, help="the timeline file to write")
    parser.add_argument("--events", type=_positive, default=100_000, help="default 100000")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    parser.add_argument("--shape", choices=SHAPES, default="uniform", help="default uniform")
    args = parser.parse_args(argv)
    path = make_timeline(args.out, args.events, args.seed, args.shape)
    mib = path.stat().st_size / 2**20  # MiB, as the loader counts its limit
    print(f"{path}: {args.events:,} events, {mib:.1f} MiB ({args.shape}, seed {args.seed})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
