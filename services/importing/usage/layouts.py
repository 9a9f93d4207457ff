"""The product-usage exports Account Radar reads, told apart by their columns (or, for JSON
lines, the keys of their first records), as the other formats are: by a subset of the
names, never the exact header, with case, spaces and underscores ignored.

- Amplitude's export (JSON lines or CSV): ``user_id``, ``device_id``, ``event_type``,
  ``event_time`` (UTC, "2026-11-03 14:05:22.123000"), ``session_id``, ``groups`` ...
- Segment's track, page and group calls (JSON lines or a warehouse CSV): ``type``,
  ``event``, ``userId``, ``anonymousId``, ``timestamp`` (ISO with its zone), ``groupId``.
- Mixpanel's raw export (JSON lines ``{"event", "properties": {"time", "distinct_id"}}``)
  or its CSV (``event``, ``distinct_id``, ``time``).
- Pendo's event and feature-usage exports: ``visitorId``, ``accountId``, ``day`` or
  ``browserTime`` (epoch milliseconds), ``numEvents``, ``numMinutes``, feature or page.
- A daily or weekly aggregate (CSV or XLSX): account or email, a date or week, and at least
  one usage figure (active users, sessions, minutes, logins, feature columns or a feature
  and count pair).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Layout", "detect_columns", "detect_keys", "feature_name", "key", "roles_in"]


def key(name: object) -> str:
    """A column name as compared: case-folded, letters, digits and "$" only."""
    return re.sub(r"[^a-z0-9$]", "", str(name).replace("\ufeff", "").casefold())


@dataclass(frozen=True)
class Layout:
    """A usage export's layout: its name (recorded with the import), its plain title, the
    source its figures are kept under, and the actual column (or key) of each role."""

    name: str
    title: str
    source: str
    aggregate: bool = False
    columns: Mapping[str, str] = field(default_factory=dict)  # role -> column
    features: tuple[str, ...] = ()  # aggregate files: the feature columns
    json: bool = False


# role -> the column names (as compared by ``key``) that fill it, in order of preference.
_AMPLITUDE = {
    "user": ("userid",),
    "device": ("deviceid", "amplitudeid"),
    "event": ("eventtype",),
    "time": ("eventtime",),
    "session": ("sessionid",),
    "groups": ("groups",),
    "account": ("accountid", "companyid", "groupid"),
    "properties": ("eventproperties",),
    "user_properties": ("userproperties",),
    "email": ("email", "useremail"),
    "insert_id": ("$insertid", "insertid"),
}
_SEGMENT = {
    "user": ("userid",),
    "device": ("anonymousid",),
    "type": ("type",),
    "event": ("event", "eventtext", "name"),
    "time": ("timestamp", "originaltimestamp", "receivedat", "sentat"),
    "account": ("groupid", "contextgroupid", "accountid", "contextaccountid"),
    "session": ("sessionid", "contextsessionid", "propertiessessionid"),
    "properties": ("properties",),
    "context": ("context",),
    "email": ("email", "contexttraitsemail", "traitsemail"),
    "duration": ("duration", "propertiesduration"),
    "insert_id": ("messageid",),
}
_MIXPANEL = {
    "user": ("$userid", "distinctid", "$distinctid"),
    "email": ("$email", "email"),
    "event": ("event", "eventname"),
    "time": ("time", "$time"),
    "session": ("$sessionid", "sessionid"),
    "account": ("accountid", "companyid", "$groupkey", "company"),
    "duration": ("$duration",),
    "insert_id": ("$insertid", "insertid"),
}
_PENDO = {
    "user": ("visitorid",),
    "account": ("accountid",),
    "time": ("day", "browsertime", "week", "date"),
    "count": ("numevents",),
    "minutes": ("numminutes",),
    "feature": ("featurename", "feature", "featureid"),
    "page": ("pagename", "pageid"),
    "event": ("type", "eventtype", "eventclass"),
}
_AGGREGATE = {
    "email": ("email", "useremail", "customeremail", "contactemail"),
    "account": (
        "accountid",
        "customerid",
        "companyid",
        "externalid",
        "account",
        "accountname",
        "customer",
        "company",
        "companyname",
        "organization",
        "domain",
        "companydomain",
    ),
    "week": ("week", "weekstart", "weekstarting", "weekof", "weekbeginning", "weekcommencing"),
    "date": ("date", "day", "period", "periodstart", "activitydate", "usagedate"),
    "period_kind": ("granularity", "periodtype", "interval"),
    "active_users": ("activeusers", "users", "dau", "wau", "uniqueusers", "activeuserscount"),
    "sessions": ("sessions", "sessioncount", "numsessions"),
    "minutes": (
        "minutes",
        "timespentminutes",
        "timespent",
        "usageminutes",
        "durationminutes",
        "minutesactive",
        "activeminutes",
    ),
    "logins": ("logins", "logincount", "signins"),
    "documents": ("documentsviewed", "docsviewed", "documentviews", "filesviewed"),
    "events": ("events", "eventcount", "numevents", "actions"),
    "feature": ("feature", "featurename"),
    "feature_count": ("count", "uses", "usecount", "usagecount", "featurecount", "featureuses"),
}
_FEATURE_PREFIX = re.compile(r"^\s*feature\s*[:_\-]\s*|^\s*feature\s+", re.IGNORECASE)


def _roles(names: Iterable[str], table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(key(name), name)
    out: dict[str, str] = {}
    for role, candidates in table.items():
        for candidate in candidates:
            if candidate in by_key:
                out[role] = by_key[candidate]
                break
    return out


def _events_layout(names: Sequence[str], *, json: bool) -> Layout | None:
    keys = {key(n) for n in names}
    if "eventtype" in keys and "eventtime" in keys and keys & {"userid", "deviceid", "amplitudeid"}:
        return Layout(
            "amplitude_events", "Amplitude export", "amplitude", columns=_roles(names, _AMPLITUDE)
        )
    if "visitorid" in keys and keys & {"numevents", "numminutes", "browsertime", "day"}:
        return Layout("pendo_events", "Pendo export", "pendo", columns=_roles(names, _PENDO))
    if (
        keys & {"timestamp", "originaltimestamp"}
        and keys & {"userid", "anonymousid"}
        and keys & {"event", "type"}
        and ("anonymousid" in keys or "type" in keys or "messageid" in keys)
    ):
        return Layout(
            "segment_events", "Segment export", "segment", columns=_roles(names, _SEGMENT)
        )
    if (
        keys & {"event", "eventname"}
        and keys & {"distinctid", "$distinctid"}
        and keys
        & {
            "time",
            "$time",
        }
    ):
        return Layout(
            "mixpanel_events", "Mixpanel export", "mixpanel", columns=_roles(names, _MIXPANEL)
        )
    return None


def _aggregate_layout(names: Sequence[str]) -> Layout | None:
    roles = _roles(names, _AGGREGATE)
    features = tuple(n for n in names if _FEATURE_PREFIX.match(n) and key(n) not in {"featurename"})
    features = tuple(f for f in features if f not in roles.values())
    if not ({"email", "account"} & roles.keys()) or not ({"week", "date"} & roles.keys()):
        return None
    figures = {"active_users", "sessions", "minutes", "logins", "documents"} & roles.keys()
    pair = "feature" in roles and "feature_count" in roles
    if not figures and not features and not pair:
        return None
    return Layout(
        "usage_aggregate",
        "Product usage summary",
        "usage_file",
        aggregate=True,
        columns=roles,
        features=features,
    )


def detect_columns(header: Sequence[str]) -> Layout | None:
    """The usage layout of a CSV or workbook with this header, or None (not usage)."""
    return _events_layout(header, json=False) or _aggregate_layout(header)


def detect_keys(record: Mapping[str, object]) -> Layout | None:
    """The usage layout of a JSON-lines file whose first record is this, or None."""
    names = list(record)
    props = record.get("properties")
    if (
        "event" in record
        and isinstance(props, Mapping)
        and "time" in props
        and "type" not in record
    ):
        roles = _roles(props, _MIXPANEL)
        roles["event"] = "event"
        return Layout("mixpanel_events", "Mixpanel export", "mixpanel", columns=roles, json=True)
    found = _events_layout(names, json=True)
    if found is None:
        return None
    return Layout(found.name, found.title, found.source, columns=found.columns, json=True)


_TABLES = {
    "amplitude_events": _AMPLITUDE,
    "segment_events": _SEGMENT,
    "mixpanel_events": _MIXPANEL,
    "pendo_events": _PENDO,
    "usage_aggregate": _AGGREGATE,
}


def roles_in(layout: Layout, names: Iterable[str]) -> dict[str, str]:
    """The role of each of these columns in this layout (for JSON lines, whose records may
    each hold other keys than the first one did)."""
    return _roles(names, _TABLES[layout.name])


def feature_name(column: str) -> str:
    """An aggregate's feature column as the feature's name ("feature: Reports" -> "Reports")."""
    return _FEATURE_PREFIX.sub("", column).strip() or column
