"""Finding what is in view, and summing up what is too dense to draw one by one.

`EventIndex` keeps the events' times in flat sorted arrays, so that the events in a time range are
found by binary search (pyqtgraph's clipToView idea) instead of a pass over every event. When a
view holds more events than its pixels can show, the view draws each category as a lane with a
density strip and clusters labelled with their counts; this module counts them.

Clusters are buckets of a fixed width in content pixels, counted from the timeline's origin, so
a pan moves them without changing what they hold. Each event is counted once, in the bucket of
its start, so the clusters in a range add up to the events that start in it.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import operator
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

# Up to this many lanes, lane_flags cuts flags with one bytes.translate a lane.
_FEW_LANES = 16
_DOUBLED = bytes((2 * b) & 0xFF for b in range(256))
_ODD_TO_ONE = bytes(b & 1 for b in range(256))
_DROP_BUT = [bytes(b for b in range(256) if b >> 1 != lane) for lane in range(_FEW_LANES)]


def _positions(data: bytes, byte: int) -> Iterator[int]:
    """Where `byte` occurs in `data`, in order."""
    at = data.find(byte)
    while at >= 0:
        yield at
        at = data.find(byte, at + 1)


_pairs = itertools.pairwise


def _fits_a_byte(exponent: dict[float, int]) -> bool:
    return all(0 <= k < 256 for k in exponent.values())


def _floats(values: Sequence[float]) -> array:
    """`values` as an array of doubles: itself if it is one already (a timeline's own column)."""
    if isinstance(values, array) and values.typecode == "d":
        return values
    return array("d", values)


@dataclass(frozen=True)
class Cluster:
    """Events of one lane whose starts fall in one bucket [start, end)."""

    lane: int
    start: float
    end: float
    count: int
    first: int  # position of the first one in the lane's order
    first_start: float  # the earliest start among them
    last_start: float  # the latest start among them


@dataclass
class IndexParts:
    """What building an EventIndex works out, to be kept (viewer.model.column_cache): each
    lane's size, and the lanes' events and starts one lane after another; each duration
    group's code and size, and the groups' events and starts one group after another."""

    lane_sizes: list[int]
    lane_events: array  # "q"
    lane_starts: array  # "d"
    group_codes: list[int]
    group_sizes: list[int]
    group_events: array  # "q"
    group_starts: array  # "d"

    def fit(self, n: int, lane_count: int) -> bool:
        """Whether these could be the parts of an index of n events in lane_count lanes."""
        return (
            len(self.lane_sizes) == lane_count
            and sum(self.lane_sizes) == n
            and sum(self.group_sizes) == n
            and len(self.group_codes) == len(self.group_sizes)
            and all(0 <= k < 4096 for k in self.group_codes)
            and all(
                len(col) == n
                for col in (
                    self.lane_events,
                    self.lane_starts,
                    self.group_events,
                    self.group_starts,
                )
            )
        )


class EventIndex:
    """Sorted columns of event times, by event and by lane (category).

    `starts` must be sorted ascending (the timeline's order); `lanes[i]` is event i's lane.
    """

    def __init__(
        self,
        starts: Sequence[float],
        ends: Sequence[float],
        lanes: Sequence[int],
        parts: IndexParts | None = None,
    ):
        """`parts`, if given, are what parts() gave for the same columns (kept in the column
        cache): used instead of working them out again, unless they do not fit."""
        self.starts = _floats(starts)
        self.ends = _floats(ends)
        n = len(self.starts)
        if len(self.ends) != n or len(lanes) != n:
            raise ValueError("starts, ends and lanes differ in length")
        self.lane_count = 1 + max(lanes, default=-1)
        self._lanes = lanes
        self._lane_codes: bytes | None = None  # made by lane_flags when first needed
        # Which of each lane's events count, in the lane's order (None: all of them). A
        # FilteredIndex sets these, so that clusters and counts pass over the hidden events.
        self._lane_kept: list[bytes | None] = [None] * self.lane_count
        if parts is None or not parts.fit(n, self.lane_count):
            parts = self._work_out(lanes)
        lane_cuts = [0, *itertools.accumulate(parts.lane_sizes)]
        self.lane_events: list[array] = [parts.lane_events[a:b] for a, b in _pairs(lane_cuts)]
        self.lane_starts: list[array] = [parts.lane_starts[a:b] for a, b in _pairs(lane_cuts)]
        self._groups: list[tuple[float, array, array]] = []  # (bound, events, their starts)
        group_cuts = [0, *itertools.accumulate(parts.group_sizes)]
        for k, (a, b) in zip(parts.group_codes, _pairs(group_cuts), strict=True):
            # 2**(code - 128) seconds bounds a group (see _work_out)
            bound = math.ldexp(1.0, k - 128)
            self._groups.append((bound, parts.group_events[a:b], parts.group_starts[a:b]))
        self._group_codes = list(parts.group_codes)

    def _work_out(self, lanes: Sequence[int]) -> IndexParts:
        n = len(self.starts)
        # Each lane's events and starts. One stable sort by lane groups them, in time order
        # within a lane, and slices cut the groups out: the cost goes with events + lanes (a
        # pass over every event for each lane made 20,000 lanes take 30 s).
        by_lane = array("q", sorted(range(n), key=lanes.__getitem__))
        sizes = [0] * self.lane_count
        for lane in lanes:
            sizes[lane] += 1
        starts_by_lane = array("d", map(self.starts.__getitem__, by_lane))
        # Events grouped by how long they last, in powers of two of seconds: those of group k
        # last at most 2**k seconds, so the ones overlapping a view start at most 2**k before
        # it, and each group is searched over that much only. (One bound for all, set by the
        # longest events, made a view of a busy day read through a year of events.)
        durations = array("d", map(operator.sub, self.ends, self.starts))
        # 2**(code - 128) seconds bounds a group (from a microsecond to past the age of the
        # universe); few distinct durations, so worked out once each.
        exponent = {d: math.frexp(d)[1] + 128 for d in set(durations)}
        groups = bytes(map(exponent.__getitem__, durations)) if _fits_a_byte(exponent) else None
        codes = sorted(set(exponent.values()))
        group_sizes, group_events = [], array("q")
        for k in codes:
            if groups is None:
                members = array("q", (i for i in range(n) if exponent[durations[i]] == k))
            elif groups.count(k) * 32 < n:  # a small group: its byte found by a search in C
                members = array("q", _positions(groups, k))
            else:
                table = bytes(j == k for j in range(256))
                members = array("q", itertools.compress(range(n), groups.translate(table)))
            group_sizes.append(len(members))
            group_events += members
        return IndexParts(
            lane_sizes=sizes,
            lane_events=by_lane,
            lane_starts=starts_by_lane,
            group_codes=codes,
            group_sizes=group_sizes,
            group_events=group_events,
            group_starts=array("d", map(self.starts.__getitem__, group_events)),
        )

    def parts(self, joined: bool = True) -> IndexParts:
        """What this index worked out, to be given to another for the same columns. Not
        `joined`, each array field is a list of the index's own arrays (lane by lane, group by
        group), to be written one after another without a copy (viewer.model.column_cache)."""
        groups = self._groups
        pieces = {
            "lane_events": list(self.lane_events),
            "lane_starts": list(self.lane_starts),
            "group_events": [events for _b, events, _s in groups],
            "group_starts": [starts for _b, _e, starts in groups],
        }
        if joined:
            for name, arrays in pieces.items():
                whole = array("q" if name.endswith("events") else "d")
                for part in arrays:
                    whole += part
                pieces[name] = whole  # type: ignore[assignment]
        return IndexParts(
            lane_sizes=list(map(len, self.lane_events)),
            group_codes=list(self._group_codes),
            group_sizes=[len(events) for _b, events, _s in groups],
            **pieces,  # type: ignore[arg-type]
        )

    def __len__(self) -> int:
        return len(self.starts)

    def visible(self, t_a: float, t_b: float) -> list[int]:
        """Indices, in time order, of the events that overlap [t_a, t_b]."""
        ends = self.ends
        found: list[int] = []
        parts = 0
        for bound, members, starts in self._groups:
            lo = bisect.bisect_left(starts, t_a - bound)
            hi = bisect.bisect_right(starts, t_b)
            if hi > lo:
                # In C: the group's events starting in the window whose end reaches the view.
                got = members[lo:hi]
                found += itertools.compress(got, map(t_a.__le__, map(ends.__getitem__, got)))
                parts += 1
        if parts > 1:
            found.sort()
        return found

    def count_starting(self, t_a: float, t_b: float) -> int:
        """How many events start in [t_a, t_b)."""
        return bisect.bisect_left(self.starts, t_b) - bisect.bisect_left(self.starts, t_a)

    def lane_counts(self, lane: int, edges: Sequence[float]) -> list[int]:
        """Events of `lane` starting in each [edges[k], edges[k+1]); edges ascend."""
        starts = self.lane_starts[lane]
        kept = self._lane_kept[lane]
        if kept is not None and not kept:  # a lane hidden whole
            return [0] * max(len(edges) - 1, 0)
        lo = bisect.bisect_left(starts, edges[0]) if edges else 0
        hi = bisect.bisect_left(starts, edges[-1]) if edges else 0
        if hi - lo < len(edges):
            # Fewer events than edges (as in most of a thousand lanes): place each event
            # rather than each edge, so a frame costs the events in view, not lanes x edges.
            counts = [0] * max(len(edges) - 1, 0)
            place = functools.partial(bisect.bisect_right, edges)
            found = (
                starts[lo:hi] if kept is None else itertools.compress(starts[lo:hi], kept[lo:hi])
            )
            for k in map(place, found):
                counts[k - 1] += 1
            return counts
        cut = list(map(functools.partial(bisect.bisect_left, starts), edges))
        if kept is None:
            return list(map(operator.sub, cut[1:], cut))
        return [kept.count(1, a, b) for a, b in itertools.pairwise(cut)]  # scans in C

    def clusters(
        self, origin: float, bucket_seconds: float, t_a: float, t_b: float
    ) -> list[Cluster]:
        """Non-empty buckets of every lane that overlap [t_a, t_b), lane by lane in time order.

        Bucket k covers [origin + k * bucket_seconds, origin + (k + 1) * bucket_seconds).
        """
        if bucket_seconds <= 0:
            raise ValueError("bucket_seconds must be positive")
        k0 = int((t_a - origin) // bucket_seconds)
        k1 = int((t_b - origin) // bucket_seconds) + 1
        edges = [origin + k * bucket_seconds for k in range(k0, k1 + 1)]
        out: list[Cluster] = []
        for lane in range(self.lane_count):
            starts = self.lane_starts[lane]
            kept = self._lane_kept[lane]
            if kept is not None and not kept:  # a lane hidden whole
                continue
            cut = list(map(functools.partial(bisect.bisect_left, starts), edges))
            for k in range(len(edges) - 1):
                a, b = cut[k], cut[k + 1]
                if b <= a:
                    continue
                if kept is None:
                    count, first, last = b - a, a, b - 1
                else:  # the kept ones among them, found in C
                    count = kept.count(1, a, b)
                    if not count:
                        continue
                    first, last = kept.index(1, a, b), kept.rindex(1, a, b)
                out.append(
                    Cluster(lane, edges[k], edges[k + 1], count, first, starts[first], starts[last])
                )
        return out

    def cluster_events(self, cluster: Cluster) -> array:
        """The events a cluster holds, as event indices in time order."""
        events = self.lane_events[cluster.lane]
        kept = self._lane_kept[cluster.lane]
        if kept is None:
            return events[cluster.first : cluster.first + cluster.count]
        stop = bisect.bisect_left(self.lane_starts[cluster.lane], cluster.end)
        return array(
            "q", itertools.compress(events[cluster.first : stop], kept[cluster.first : stop])
        )

    def lane_flags(self, flags: bytes) -> list[bytes]:
        """`flags` (one byte an event, 0 or 1, in time order) cut into each lane's, in the
        lane's order."""
        if len(flags) != len(self.starts):
            raise ValueError("one flag an event")
        if self.lane_count <= _FEW_LANES:
            # Each event's byte becomes 2 x lane + flag (an OR of two big integers), and one
            # bytes.translate a lane keeps that lane's bytes: a few passes in C, where reading
            # a million flags one by one takes 70 ms.
            if self._lane_codes is None:
                self._lane_codes = bytes(iter(self._lanes)).translate(_DOUBLED)
            n = len(flags)
            both = int.from_bytes(self._lane_codes, "little") | int.from_bytes(flags, "little")
            tagged = both.to_bytes(n, "little")
            return [
                tagged.translate(_ODD_TO_ONE, _DROP_BUT[lane]) for lane in range(self.lane_count)
            ]
        return [bytes(map(flags.__getitem__, events)) for events in self.lane_events]

    def latest_end(self, indices: Sequence[int]) -> float:
        """The latest end among the given events."""
        ends = self.ends
        return max(ends[i] for i in indices)
