"""Time zones for the adapters: a shared location → an IANA zone, offline; names checked.
Also a typed country (``Польша``, ``poland``, ``PL``) → its ISO code (:func:`country_code`).

No network and no shapefiles: the zone of the nearest city in :data:`kpi_core.parsing.timezones.CITIES`
(about 130 cities, every Russian zone among them). Far from any of them (at sea, in the
Arctic), the zone falls back to the solar offset of the longitude (``Etc/GMT-3`` for 45° E).
Near a border the nearest city may be across it; the person can change the zone in /settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from math import asin, cos, radians, sin, sqrt
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale

from bot.i18n import SUPPORTED_LANGUAGES
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
