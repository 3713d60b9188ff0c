"""Reminder timing and eligibility, with no ORM: local dates, quiet hours, who is reminded and when.

Times are stored in UTC; a trainee's IANA zone decides their local date and reminder time. The
planning sweep and send_reminder both ask this module, so planning and the re-check before
sending apply the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAILY, WEEKLY, OFF = "daily", "weekly", "off"

# Skip reasons, as the sweep and `plan_reminders --dry-run` report them.
DEACTIVATED = "deactivated"
NOT_ENROLLED = "left the cohort"
UNSUBSCRIBED = "unsubscribed"
FREQUENCY_OFF = "reminders off"
PAUSED = "paused"
NO_CHANNEL = "no channel chosen"
REVIEWED_TODAY = "already reviewed today"
REMINDED_TODAY = "already reminded today"
NOT_THIS_WEEK = "weekly: reminded less than 7 days ago"
NOTHING_DUE = "nothing due"
QUIET_HOURS = "quiet hours"
REVIEWED_SINCE_PLANNED = "reviewed since it was planned"
STALE = "planned too long ago"
QUIET_AT_SEND = "in quiet hours by the time it could be sent"


def validate_zone(name) -> ZoneInfo:
    """An IANA zone by name ("Europe/London"), or a ValueError naming the problem."""
    if not isinstance(name, str) or not name or name != name.strip() or len(name) > 64:
        raise ValueError("must be an IANA time zone name such as Europe/London.")
    if name not in _zone_names():
        raise ValueError(f"'{name}' is not an IANA time zone name (e.g. Europe/London, America/New_York).")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not an IANA time zone name (e.g. Europe/London, America/New_York).")


_ZONES: set[str] | None = None


def _zone_names() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = available_timezones()
    return _ZONES


def accepted_zone_names() -> set[str]:
    """Every name validate_zone accepts."""
    return set(_zone_names())


def zone_names() -> list[str]:
    """Every IANA zone name this machine knows, sorted (for the preferences form's suggestions)."""
    return sorted(name for name in _zone_names() if "/" in name or name == "UTC")


# Zones most trainees live in, named in words (the settings page's first group; every other zone follows).
COMMON_ZONES = {
    "UTC": "UTC, no daylight saving",
    "Europe/London": "London, United Kingdom",
    "Europe/Dublin": "Dublin, Ireland",
    "Europe/Lisbon": "Lisbon, Portugal",
    "Europe/Paris": "Paris, France",
    "Europe/Berlin": "Berlin, Germany",
    "Europe/Madrid": "Madrid, Spain",
    "Europe/Rome": "Rome, Italy",
    "Europe/Amsterdam": "Amsterdam, Netherlands",
    "Europe/Stockholm": "Stockholm, Sweden",
    "Europe/Warsaw": "Warsaw, Poland",
    "Europe/Athens": "Athens, Greece",
    "Europe/Helsinki": "Helsinki, Finland",
    "Europe/Istanbul": "Istanbul, Türkiye",
    "Europe/Moscow": "Moscow, Russia",
    "Africa/Lagos": "Lagos, Nigeria",
    "Africa/Cairo": "Cairo, Egypt",
    "Africa/Johannesburg": "Johannesburg, South Africa",
    "Africa/Nairobi": "Nairobi, Kenya",
    "Asia/Dubai": "Dubai, United Arab Emirates",
    "Asia/Karachi": "Karachi, Pakistan",
    "Asia/Kolkata": "India (Kolkata)",
    "Asia/Dhaka": "Dhaka, Bangladesh",
    "Asia/Bangkok": "Bangkok, Thailand",
    "Asia/Singapore": "Singapore",
    "Asia/Hong_Kong": "Hong Kong",
    "Asia/Shanghai": "China (Shanghai)",
    "Asia/Seoul": "Seoul, South Korea",
    "Asia/Tokyo": "Tokyo, Japan",
    "Australia/Perth": "Perth, Australia",
    "Australia/Brisbane": "Brisbane, Australia",
    "Australia/Sydney": "Sydney, Australia",
    "Pacific/Auckland": "Auckland, New Zealand",
    "Pacific/Honolulu": "Honolulu, Hawaii",
    "America/Anchorage": "Anchorage, Alaska",
    "America/Los_Angeles": "Los Angeles (US Pacific)",
    "America/Vancouver": "Vancouver, Canada",
    "America/Phoenix": "Phoenix, Arizona",
    "America/Denver": "Denver (US Mountain)",
    "America/Mexico_City": "Mexico City, Mexico",
    "America/Chicago": "Chicago (US Central)",
    "America/Bogota": "Bogotá, Colombia",
    "America/New_York": "New York (US Eastern)",
    "America/Toronto": "Toronto, Canada",
    "America/Halifax": "Halifax, Canada",
    "America/Sao_Paulo": "São Paulo, Brazil",
    "America/Argentina/Buenos_Aires": "Buenos Aires, Argentina",
    "America/St_Johns": "St John's, Newfoundland",
}


def zone_words(name: str) -> str:
    """A zone in words: its common name, else its city and region from the IANA name
    ('America/Argentina/Buenos_Aires' reads 'Buenos Aires (America, Argentina)')."""
    if name in COMMON_ZONES:
        return COMMON_ZONES[name]
    *regions, city = name.split("/")
    city = city.replace("_", " ")
    return f"{city} ({', '.join(r.replace('_', ' ') for r in regions)})" if regions else city


def utc_offset(name: str, now: datetime) -> str:
    """The zone's offset from UTC at `now`, such as 'UTC+01:00' (daylight saving included)."""
    offset = now.astimezone(zone_or_utc(name)).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_choices(current: str, now: datetime) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The settings page's select: the common zones in words with today's offset, west to east,
    and every other zone by name (the trainee's current zone is always among them)."""

    def sort_key(name):
        offset = now.astimezone(zone_or_utc(name)).utcoffset() or timedelta(0)
        return offset, COMMON_ZONES[name]

    common = [(name, f"{COMMON_ZONES[name]} · {utc_offset(name, now)}") for name in sorted(COMMON_ZONES, key=sort_key)]
    others = [name for name in zone_names() if name not in COMMON_ZONES]
    if current not in COMMON_ZONES and current not in others:
        others.append(current)
    return common, [(name, f"{zone_words(name)} · {name}") for name in sorted(others, key=zone_words)]


def zone_or_utc(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_slot(local_date: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time. In the spring-forward gap the time is read
    with the offset before the change (01:30 London becomes 02:30 BST); in the autumn overlap
    the first of the two is taken. Either way each local date has exactly one slot."""
    return datetime.combine(local_date, at, tzinfo=zone).astimezone(UTC)


def in_quiet_hours(local_time: time, start: time | None, end: time | None) -> bool:
    """Quiet hours may span midnight (22:00-07:00). Equal start and end mean none."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local_time < end
    return local_time >= start or local_time < end


def quiet_hours_end(local_now: datetime, start: time, end: time) -> datetime:
    """The UTC instant the current quiet period ends."""
    end_date = local_now.date()
    if start > end and local_now.time() >= start:
        end_date += timedelta(days=1)  # evening part of a period that ends tomorrow morning
    return local_slot(end_date, end, local_now.tzinfo)


@dataclass(frozen=True)
class Trainee:
    """What the rules need to know about one trainee (a row of the sweep's batch query)."""

    user_id: int
    is_active: bool
    enrolled: bool
    time_zone: str
    reminder_time: time
    quiet_start: time | None
    quiet_end: time | None
    email_enabled: bool
    in_app_enabled: bool
    frequency: str
    paused_until: date | None
    unsubscribed_at: datetime | None
    last_reminded_at: datetime | None
    last_reviewed_at: datetime | None
    ignored_in_a_row: int


@dataclass(frozen=True)
class Decision:
    action: str  # "remind" | "skip" | "defer"
    reason: str
    local_date: date
    next_at: datetime | None  # when the sweep should look at this trainee again (None: not until prefs change)
    ignored_in_a_row: int = 0


def ignored_streak(trainee: Trainee) -> int:
    """Reminders ignored in a row, counting the last one if no review followed it. The stored
    count covers the reminders before the last, whose fate is known only now."""
    last_ignored = trainee.last_reminded_at is not None and (
        trainee.last_reviewed_at is None or trainee.last_reviewed_at < trainee.last_reminded_at
    )
    return trainee.ignored_in_a_row + 1 if last_ignored else 0


def effective_frequency(trainee: Trainee, ignored_before_weekly: int) -> str:
    if trainee.frequency == DAILY and ignored_streak(trainee) >= ignored_before_weekly:
        return WEEKLY  # seven nudges in a row went unanswered: back off rather than nag
    return trainee.frequency


def first_slot(now: datetime, trainee_zone: str, reminder_time: time) -> datetime:
    """Where a new or changed preference starts: today's local slot, even if it has passed,
    so the next sweep looks at once (the rules then skip or remind)."""
    zone = zone_or_utc(trainee_zone)
    return local_slot(now.astimezone(zone).date(), reminder_time, zone)


def decide(trainee: Trainee, due_count: int, now: datetime, *, ignored_before_weekly: int = 7) -> Decision:
    """Whether a trainee whose reminder time has come is reminded now, skipped, or deferred."""
    zone = zone_or_utc(trainee.time_zone)
    local_now = now.astimezone(zone)
    today = local_now.date()
    frequency = effective_frequency(trainee, ignored_before_weekly)
    step = timedelta(days=7 if frequency == WEEKLY else 1)
    # A reminder time inside quiet hours is sent when they end; looking at the evening slot
    # would defer each reminder to the next morning and make a daily reminder every other day.
    reminder_at = trainee.reminder_time
    if in_quiet_hours(reminder_at, trainee.quiet_start, trainee.quiet_end):
        reminder_at = trainee.quiet_end

    def slot(on: date) -> datetime:
        return local_slot(on, reminder_at, zone)

    def skip(reason: str, next_at: datetime | None) -> Decision:
        return Decision("skip", reason, today, next_at, trainee.ignored_in_a_row)

    def local_date_of(moment: datetime | None) -> date | None:
        return moment.astimezone(zone).date() if moment else None

    # Deactivated or unenrolled trainees may come back without telling us: look again tomorrow.
    if not trainee.is_active:
        return skip(DEACTIVATED, slot(today + timedelta(days=1)))
    if not trainee.enrolled:
        return skip(NOT_ENROLLED, slot(today + timedelta(days=1)))
    if trainee.unsubscribed_at is not None:
        return skip(UNSUBSCRIBED, None)
    if frequency == OFF:
        return skip(FREQUENCY_OFF, None)
    if not (trainee.email_enabled or trainee.in_app_enabled):
        return skip(NO_CHANNEL, None)
    if trainee.paused_until is not None and trainee.paused_until >= today:
        return skip(PAUSED, slot(trainee.paused_until + timedelta(days=1)))
    last_reminded = local_date_of(trainee.last_reminded_at)
    if last_reminded is not None and last_reminded >= today:
        return skip(REMINDED_TODAY, slot(last_reminded + step))
    if frequency == WEEKLY and last_reminded is not None and (today - last_reminded).days < 7:
        return skip(NOT_THIS_WEEK, slot(last_reminded + step))
    if local_date_of(trainee.last_reviewed_at) == today:
        return skip(REVIEWED_TODAY, slot(today + timedelta(days=1)))
    if in_quiet_hours(local_now.time(), trainee.quiet_start, trainee.quiet_end):
        return Decision(
            "defer",
            QUIET_HOURS,
            today,
            quiet_hours_end(local_now, trainee.quiet_start, trainee.quiet_end),
            trainee.ignored_in_a_row,
        )
    if due_count <= 0:
        return skip(NOTHING_DUE, slot(today + timedelta(days=1)))
    return Decision("remind", "", today, slot(today + step), ignored_streak(trainee))


def still_eligible(
    trainee: Trainee, due_count: int, planned_at: datetime, now: datetime, stale_after: timedelta
) -> str:
    """The re-check just before sending: '' to send, or why not. A send that retries or a queue
    backlog pushed into the trainee's quiet hours is dropped: a missed reminder beats a night one."""
    zone = zone_or_utc(trainee.time_zone)
    today = now.astimezone(zone).date()
    if not trainee.is_active:
        return DEACTIVATED
    if not trainee.enrolled:
        return NOT_ENROLLED
    if trainee.unsubscribed_at is not None:
        return UNSUBSCRIBED
    if trainee.frequency == OFF:
        return FREQUENCY_OFF
    if not (trainee.email_enabled or trainee.in_app_enabled):
        return NO_CHANNEL
    if trainee.paused_until is not None and trainee.paused_until >= today:
        return PAUSED
    if trainee.last_reviewed_at is not None and trainee.last_reviewed_at >= planned_at:
        return REVIEWED_SINCE_PLANNED
    if now - planned_at > stale_after:
        return STALE
    if in_quiet_hours(now.astimezone(zone).time(), trainee.quiet_start, trainee.quiet_end):
        return QUIET_AT_SEND
    if due_count <= 0:
        return NOTHING_DUE
    return ""


def retry_delay(retries: int, base: float, cap: float, jitter: float) -> float:
    """Capped exponential backoff with full jitter: `jitter` is a number in [0, 1)."""
    ceiling = min(cap, base * (2**retries))
    return max(1.0, ceiling * (0.5 + jitter / 2))
