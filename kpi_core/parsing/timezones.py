"""Time zones from what people type: a city, a UTC offset, or an IANA name.

Pure data and parsing, standard library only, no zone database: everything here returns IANA
zone *names*. Whether a name exists is checked in ``bot/`` with :mod:`zoneinfo` (the adapters
own the tz database); the names in :data:`CITIES` and :data:`COUNTRY_ZONES` are checked by a
test against it.

* :func:`parse_utc_offset` — ``+3``, ``UTC+03:00``, ``GMT-5``, ``+0530``, ``МСК+4``.
* :func:`zone_for_offset` — a zone with that fixed offset (``Etc/GMT-3`` for UTC+3; ``Etc``
  signs are inverted by POSIX convention) or, for the half-hour offsets, the zone people there
  use (``Asia/Kolkata`` for +5:30).
* :func:`find_city` — a small table of common cities, searchable in English and Russian.
* :func:`resolve_zone_text` — all of the above for one typed answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from kpi_core.messages import N_


@dataclass(frozen=True, slots=True)
class City:
    """A city people name when asked for their time zone.

    Attributes:
        name: English display name, marked for translation (the bot shows ``t._(name)``).
        zone: IANA zone name.
        lat: Latitude in degrees (used to find the nearest city to a shared location).
        lon: Longitude in degrees.
        aliases: Other spellings, lower case: the Russian name first, then transliterations
            and abbreviations people type.
    """

    name: str
    zone: str
    lat: float
    lon: float
    aliases: tuple[str, ...] = ()


def _c(name: str, zone: str, lat: float, lon: float, *aliases: str) -> City:
    return City(name, zone, lat, lon, aliases)


CITIES: tuple[City, ...] = (
    # Russia, west to east.
    _c(N_("Kaliningrad"), "Europe/Kaliningrad", 54.71, 20.51, "калининград"),
    _c(N_("Moscow"), "Europe/Moscow", 55.76, 37.62, "москва", "мск", "msk", "moskva"),
    _c(N_("Saint Petersburg"), "Europe/Moscow", 59.94, 30.31, "санкт-петербург", "петербург",
       "спб", "питер", "spb", "st petersburg", "petersburg", "st. petersburg"),
    _c(N_("Murmansk"), "Europe/Moscow", 68.97, 33.09, "мурманск"),
    _c(N_("Arkhangelsk"), "Europe/Moscow", 64.54, 40.54, "архангельск"),
    _c(N_("Nizhny Novgorod"), "Europe/Moscow", 56.33, 44.00, "нижний новгород", "нижний"),
    _c(N_("Kazan"), "Europe/Moscow", 55.79, 49.12, "казань"),
    _c(N_("Voronezh"), "Europe/Moscow", 51.67, 39.18, "воронеж"),
    _c(N_("Rostov-on-Don"), "Europe/Moscow", 47.24, 39.71, "ростов-на-дону", "ростов", "rostov"),
    _c(N_("Krasnodar"), "Europe/Moscow", 45.04, 38.98, "краснодар"),
    _c(N_("Sochi"), "Europe/Moscow", 43.60, 39.73, "сочи"),
    _c(N_("Simferopol"), "Europe/Simferopol", 44.95, 34.10, "симферополь"),
    _c(N_("Kirov"), "Europe/Kirov", 58.60, 49.66, "киров"),
    _c(N_("Volgograd"), "Europe/Volgograd", 48.71, 44.51, "волгоград"),
    _c(N_("Astrakhan"), "Europe/Astrakhan", 46.35, 48.04, "астрахань"),
    _c(N_("Saratov"), "Europe/Saratov", 51.53, 46.03, "саратов"),
    _c(N_("Ulyanovsk"), "Europe/Ulyanovsk", 54.32, 48.40, "ульяновск"),
    _c(N_("Samara"), "Europe/Samara", 53.20, 50.15, "самара"),
    _c(N_("Izhevsk"), "Europe/Samara", 56.85, 53.20, "ижевск"),
    _c(N_("Ufa"), "Asia/Yekaterinburg", 54.74, 55.97, "уфа"),
    _c(N_("Perm"), "Asia/Yekaterinburg", 58.01, 56.25, "пермь"),
    _c(N_("Orenburg"), "Asia/Yekaterinburg", 51.77, 55.10, "оренбург"),
    _c(N_("Yekaterinburg"), "Asia/Yekaterinburg", 56.84, 60.60, "екатеринбург", "екб",
       "ekaterinburg"),
    _c(N_("Chelyabinsk"), "Asia/Yekaterinburg", 55.16, 61.40, "челябинск"),
    _c(N_("Tyumen"), "Asia/Yekaterinburg", 57.15, 65.53, "тюмень"),
    _c(N_("Omsk"), "Asia/Omsk", 54.99, 73.37, "омск"),
    _c(N_("Novosibirsk"), "Asia/Novosibirsk", 55.03, 82.92, "новосибирск", "нск"),
    _c(N_("Barnaul"), "Asia/Barnaul", 53.35, 83.78, "барнаул"),
    _c(N_("Tomsk"), "Asia/Tomsk", 56.50, 84.97, "томск"),
    _c(N_("Kemerovo"), "Asia/Novokuznetsk", 55.35, 86.09, "кемерово"),
    _c(N_("Krasnoyarsk"), "Asia/Krasnoyarsk", 56.01, 92.87, "красноярск"),
    _c(N_("Irkutsk"), "Asia/Irkutsk", 52.29, 104.28, "иркутск"),
    _c(N_("Ulan-Ude"), "Asia/Irkutsk", 51.83, 107.58, "улан-удэ"),
    _c(N_("Chita"), "Asia/Chita", 52.03, 113.50, "чита"),
    _c(N_("Yakutsk"), "Asia/Yakutsk", 62.03, 129.73, "якутск"),
    _c(N_("Khabarovsk"), "Asia/Vladivostok", 48.48, 135.08, "хабаровск"),
    _c(N_("Vladivostok"), "Asia/Vladivostok", 43.12, 131.89, "владивосток"),
    _c(N_("Yuzhno-Sakhalinsk"), "Asia/Sakhalin", 46.96, 142.74, "южно-сахалинск", "сахалин"),
    _c(N_("Magadan"), "Asia/Magadan", 59.56, 150.80, "магадан"),
    _c(N_("Petropavlovsk-Kamchatsky"), "Asia/Kamchatka", 53.02, 158.65,
       "петропавловск-камчатский", "камчатка"),
    # Neighbours.
    _c(N_("Minsk"), "Europe/Minsk", 53.90, 27.56, "минск"),
    _c(N_("Kyiv"), "Europe/Kyiv", 50.45, 30.52, "киев", "київ", "kiev"),
    _c(N_("Chisinau"), "Europe/Chisinau", 47.01, 28.86, "кишинёв", "кишинев"),
    _c(N_("Riga"), "Europe/Riga", 56.95, 24.11, "рига"),
    _c(N_("Vilnius"), "Europe/Vilnius", 54.69, 25.28, "вильнюс"),
    _c(N_("Tallinn"), "Europe/Tallinn", 59.44, 24.75, "таллин", "таллинн"),
    _c(N_("Tbilisi"), "Asia/Tbilisi", 41.72, 44.79, "тбилиси"),
    _c(N_("Yerevan"), "Asia/Yerevan", 40.18, 44.51, "ереван"),
    _c(N_("Baku"), "Asia/Baku", 40.41, 49.87, "баку"),
    _c(N_("Astana"), "Asia/Almaty", 51.17, 71.45, "астана", "нур-султан"),
    _c(N_("Almaty"), "Asia/Almaty", 43.24, 76.89, "алматы", "алма-ата"),
    _c(N_("Aktobe"), "Asia/Aqtobe", 50.28, 57.17, "актобе", "aqtobe"),
    _c(N_("Tashkent"), "Asia/Tashkent", 41.30, 69.24, "ташкент"),
    _c(N_("Bishkek"), "Asia/Bishkek", 42.87, 74.59, "бишкек"),
    _c(N_("Dushanbe"), "Asia/Dushanbe", 38.56, 68.79, "душанбе"),
    _c(N_("Ashgabat"), "Asia/Ashgabat", 37.95, 58.38, "ашхабад"),
    _c(N_("Ulaanbaatar"), "Asia/Ulaanbaatar", 47.92, 106.92, "улан-батор"),
    # Europe.
    _c(N_("London"), "Europe/London", 51.51, -0.13, "лондон"),
    _c(N_("Dublin"), "Europe/Dublin", 53.35, -6.26, "дублин"),
    _c(N_("Lisbon"), "Europe/Lisbon", 38.72, -9.14, "лиссабон"),
    _c(N_("Madrid"), "Europe/Madrid", 40.42, -3.70, "мадрид"),
    _c(N_("Barcelona"), "Europe/Madrid", 41.39, 2.17, "барселона"),
    _c(N_("Paris"), "Europe/Paris", 48.86, 2.35, "париж"),
    _c(N_("Brussels"), "Europe/Brussels", 50.85, 4.35, "брюссель"),
    _c(N_("Amsterdam"), "Europe/Amsterdam", 52.37, 4.90, "амстердам"),
    _c(N_("Berlin"), "Europe/Berlin", 52.52, 13.40, "берлин"),
    _c(N_("Munich"), "Europe/Berlin", 48.14, 11.58, "мюнхен"),
    _c(N_("Zurich"), "Europe/Zurich", 47.38, 8.54, "цюрих"),
    _c(N_("Rome"), "Europe/Rome", 41.90, 12.50, "рим"),
    _c(N_("Vienna"), "Europe/Vienna", 48.21, 16.37, "вена"),
    _c(N_("Prague"), "Europe/Prague", 50.08, 14.44, "прага"),
    _c(N_("Warsaw"), "Europe/Warsaw", 52.23, 21.01, "варшава"),
    _c(N_("Budapest"), "Europe/Budapest", 47.50, 19.04, "будапешт"),
    _c(N_("Belgrade"), "Europe/Belgrade", 44.79, 20.45, "белград"),
    _c(N_("Bucharest"), "Europe/Bucharest", 44.43, 26.10, "бухарест"),
    _c(N_("Sofia"), "Europe/Sofia", 42.70, 23.32, "софия"),
    _c(N_("Athens"), "Europe/Athens", 37.98, 23.73, "афины"),
    _c(N_("Helsinki"), "Europe/Helsinki", 60.17, 24.94, "хельсинки"),
    _c(N_("Stockholm"), "Europe/Stockholm", 59.33, 18.07, "стокгольм"),
    _c(N_("Oslo"), "Europe/Oslo", 59.91, 10.75, "осло"),
    _c(N_("Copenhagen"), "Europe/Copenhagen", 55.68, 12.57, "копенгаген"),
    _c(N_("Istanbul"), "Europe/Istanbul", 41.01, 28.98, "стамбул"),
    _c(N_("Antalya"), "Europe/Istanbul", 36.90, 30.70, "анталья", "анталия"),
    # Middle East, Asia, Oceania.
    _c(N_("Tel Aviv"), "Asia/Jerusalem", 32.08, 34.78, "тель-авив"),
    _c(N_("Cairo"), "Africa/Cairo", 30.04, 31.24, "каир"),
    _c(N_("Dubai"), "Asia/Dubai", 25.20, 55.27, "дубай"),
    _c(N_("Tehran"), "Asia/Tehran", 35.69, 51.39, "тегеран"),
    _c(N_("Delhi"), "Asia/Kolkata", 28.61, 77.21, "дели", "new delhi", "нью-дели"),
    _c(N_("Mumbai"), "Asia/Kolkata", 19.08, 72.88, "мумбаи"),
    _c(N_("Kathmandu"), "Asia/Kathmandu", 27.72, 85.32, "катманду"),
    _c(N_("Bangkok"), "Asia/Bangkok", 13.76, 100.50, "бангкок"),
    _c(N_("Phuket"), "Asia/Bangkok", 7.88, 98.39, "пхукет"),
    _c(N_("Ho Chi Minh City"), "Asia/Ho_Chi_Minh", 10.82, 106.63, "хошимин", "saigon"),
    _c(N_("Bali"), "Asia/Makassar", -8.65, 115.22, "бали", "denpasar"),
    _c(N_("Jakarta"), "Asia/Jakarta", -6.21, 106.85, "джакарта"),
    _c(N_("Singapore"), "Asia/Singapore", 1.35, 103.82, "сингапур"),
    _c(N_("Beijing"), "Asia/Shanghai", 39.90, 116.41, "пекин"),
    _c(N_("Shanghai"), "Asia/Shanghai", 31.23, 121.47, "шанхай"),
    _c(N_("Hong Kong"), "Asia/Hong_Kong", 22.32, 114.17, "гонконг"),
    _c(N_("Seoul"), "Asia/Seoul", 37.57, 126.98, "сеул"),
    _c(N_("Tokyo"), "Asia/Tokyo", 35.68, 139.69, "токио"),
    _c(N_("Sydney"), "Australia/Sydney", -33.87, 151.21, "сидней"),
    _c(N_("Perth"), "Australia/Perth", -31.95, 115.86, "перт"),
    _c(N_("Auckland"), "Pacific/Auckland", -36.85, 174.76, "окленд"),
    # Africa and the Americas.
    _c(N_("Lagos"), "Africa/Lagos", 6.52, 3.38, "лагос"),
    _c(N_("Nairobi"), "Africa/Nairobi", -1.29, 36.82, "найроби"),
    _c(N_("Johannesburg"), "Africa/Johannesburg", -26.20, 28.05, "йоханнесбург"),
    _c(N_("New York"), "America/New_York", 40.71, -74.01, "нью-йорк", "nyc"),
    _c(N_("Toronto"), "America/Toronto", 43.65, -79.38, "торонто"),
    _c(N_("Miami"), "America/New_York", 25.76, -80.19, "майами"),
    _c(N_("Chicago"), "America/Chicago", 41.88, -87.63, "чикаго"),
    _c(N_("Denver"), "America/Denver", 39.74, -104.99, "денвер"),
    _c(N_("Los Angeles"), "America/Los_Angeles", 34.05, -118.24, "лос-анджелес", "la"),
    _c(N_("San Francisco"), "America/Los_Angeles", 37.77, -122.42, "сан-франциско"),
    _c(N_("Vancouver"), "America/Vancouver", 49.28, -123.12, "ванкувер"),
    _c(N_("Mexico City"), "America/Mexico_City", 19.43, -99.13, "мехико"),
    _c(N_("Bogota"), "America/Bogota", 4.71, -74.07, "богота"),
    _c(N_("Lima"), "America/Lima", -12.05, -77.04, "лима"),
    _c(N_("Santiago"), "America/Santiago", -33.45, -70.67, "сантьяго"),
    _c(N_("Sao Paulo"), "America/Sao_Paulo", -23.55, -46.63, "сан-паулу", "são paulo"),
    _c(N_("Buenos Aires"), "America/Argentina/Buenos_Aires", -34.60, -58.38, "буэнос-айрес"),
)
"""Common cities, in a stable order (the zone buttons follow it)."""

COUNTRY_ZONES: dict[str, tuple[str, ...]] = {
    "RU": (
        "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg",
        "Asia/Omsk", "Asia/Novosibirsk", "Asia/Krasnoyarsk", "Asia/Irkutsk", "Asia/Yakutsk",
        "Asia/Vladivostok", "Asia/Magadan", "Asia/Kamchatka",
    ),
    "BY": ("Europe/Minsk",),
    "KZ": ("Asia/Almaty", "Asia/Aqtobe"),
    "UZ": ("Asia/Tashkent",),
    "KG": ("Asia/Bishkek",),
    "AM": ("Asia/Yerevan",),
    "GE": ("Asia/Tbilisi",),
    "AZ": ("Asia/Baku",),
    "UA": ("Europe/Kyiv",),
    "RS": ("Europe/Belgrade",),
    "TR": ("Europe/Istanbul",),
    "AE": ("Asia/Dubai",),
    "DE": ("Europe/Berlin",),
    "GB": ("Europe/London",),
    "US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
}
"""The zones offered as buttons for a country, most populated first."""

WORLD_ZONES: tuple[str, ...] = (
    "Europe/London", "Europe/Berlin", "Europe/Moscow", "Asia/Dubai", "Asia/Almaty",
    "Asia/Bangkok", "Asia/Shanghai", "America/New_York", "America/Los_Angeles",
)
"""Zones offered when the country has no list of its own."""

_ZONE_CITY: dict[str, City] = {}
for _city in CITIES:
    _ZONE_CITY.setdefault(_city.zone, _city)
for _city in CITIES:  # the zone's namesake wins: Asia/Vladivostok is "Vladivostok"
    if _city.name.replace(" ", "_") == _city.zone.rsplit("/", 1)[-1]:
        _ZONE_CITY[_city.zone] = _city

# Offsets that are not whole hours: the zone where most people with that offset live.
_FRACTIONAL_ZONES: dict[int, str] = {
    -(3 * 60 + 30): "America/St_Johns",
    -(9 * 60 + 30): "Pacific/Marquesas",
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    6 * 60 + 30: "Asia/Yangon",
    8 * 60 + 45: "Australia/Eucla",
    9 * 60 + 30: "Australia/Darwin",
    10 * 60 + 30: "Australia/Adelaide",
    12 * 60 + 45: "Pacific/Chatham",
}

_OFFSET_RE = re.compile(
    r"""^\s*
    (?P<base>utc|gmt|мск|msk|utс)?\s*        # optional base (МСК = Moscow time, UTC+3)
    (?P<sign>[+\-−–])\s*
    (?P<hours>\d{1,2})
    (?:\s*[:.]?\s*(?P<minutes>\d{2}))?
    \s*(?:ч|h|час|часа|часов)?\.?\s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_ZERO_RE = re.compile(r"^\s*(utc|gmt|z|utc\s*[+\-]?\s*0+(:?00)?)\s*$", re.IGNORECASE)
_IANA_RE = re.compile(r"^[A-Za-z_]+(?:/[A-Za-z0-9_+\-]+){1,2}$")
_MOSCOW_OFFSET = timedelta(hours=3)


def parse_utc_offset(text: str) -> timedelta | None:
    """Parse a UTC offset as people write it.

    Accepts ``+3``, ``-5``, ``UTC+3``, ``UTC+03:00``, ``GMT-4:30``, ``+0530``, ``UTC`` and the
    Russian ``МСК+4`` (Moscow time plus four hours). Offsets beyond -12..+14 hours, or with
    minutes other than 00/30/45, are rejected.

    Args:
        text: What the person typed.

    Returns:
        The offset, or ``None`` when the text is not an offset.
    """
    if _ZERO_RE.match(text):
        return timedelta(0)
    match = _OFFSET_RE.match(text)
    if not match:
        return None
    hours = int(match["hours"])
    minutes = int(match["minutes"] or 0)
    if minutes not in (0, 30, 45) or hours > 14:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    if match["sign"] != "+":
        offset = -offset
    base = (match["base"] or "").lower()
    if base in ("мск", "msk"):
        offset += _MOSCOW_OFFSET
    if not timedelta(hours=-12) <= offset <= timedelta(hours=14):
        return None
    return offset


def zone_for_offset(offset: timedelta) -> str | None:
    """Return an IANA zone with this UTC offset (no daylight saving for whole hours).

    Whole hours map to ``Etc/GMT±N`` — whose sign is inverted by POSIX convention, so UTC+3 is
    ``Etc/GMT-3``. Half-hour offsets map to the zone where people with that offset live.
    """
    minutes = int(offset.total_seconds()) // 60
    if minutes % 60:
        return _FRACTIONAL_ZONES.get(minutes)
    hours = minutes // 60
    if not -12 <= hours <= 14:
        return None
    if hours == 0:
        return "Etc/UTC"
    return f"Etc/GMT{-hours:+d}"


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("ё", "е")
    text = re.sub(r"[\s\-–—_.,]+", " ", text)
    for prefix in ("г ", "город ", "city of "):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text.strip()


_CITY_INDEX: dict[str, City] = {}
for _city in CITIES:
    for _key in (_city.name, *_city.aliases):
        _CITY_INDEX.setdefault(_normalise(_key), _city)


def find_city(text: str) -> City | None:
    """Find a city by its English or Russian name (case, ``ё`` and hyphens do not matter)."""
    return _CITY_INDEX.get(_normalise(text))


def city_for_zone(zone: str) -> City | None:
    """The city that names ``zone`` on buttons: its namesake, else the first one listed."""
    return _ZONE_CITY.get(zone)


def zones_for_country(country: str | None) -> tuple[str, ...]:
    """The zones to offer as buttons for a country (ISO code), else :data:`WORLD_ZONES`."""
    return COUNTRY_ZONES.get((country or "").upper(), WORLD_ZONES)


def resolve_zone_text(text: str) -> str | None:
    """Turn a typed answer into an IANA zone name, or ``None`` when it means nothing.

    Tries a city name, then a UTC offset, then something shaped like an IANA name
    (``Europe/Berlin``), which is returned as typed: the caller checks that it exists.
    """
    city = find_city(text)
    if city is not None:
        return city.zone
    offset = parse_utc_offset(text)
    if offset is not None:
        return zone_for_offset(offset)
    candidate = text.strip()
    if _IANA_RE.match(candidate):
        return candidate
    return None
