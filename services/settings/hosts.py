"""Which AI servers are the organisation's own: what ``llm.allow_cloud`` off lets through.

An allow-list, judged on the name in the address alone (a laptop offline has no DNS, and a
name that resolves today proves nothing): a server is the organisation's own when its host

- is loopback or a private or link-local address (RFC 1918, 169.254/16, fc00::/7,
  fe80::/10), however it is written (``http://2130706433/`` is 127.0.0.1 to the resolver);
- is a single-label name (``http://llm:8080``) or a name under ``.local``, ``.internal``,
  ``.lan``, ``.corp``, ``.localhost`` or ``.home.arpa``, which no public DNS serves;
- or is listed in ``llm.allowed_hosts``: a host name (``llm.corp.example``), a domain and
  the names under it (``*.corp.example``), an address or a network (``203.0.113.0/24``).

Anything else (``api.cerebras.ai``, a public address, ``openai.azure.com.evil.test``, a
name with characters a resolver would rewrite) is a cloud service. When IT locks
``llm.allow_cloud`` off on the machine, only IT's own ``llm.allowed_hosts`` counts: the
user's list cannot widen IT's lock.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from typing import Any

from services.core.setting_spec import SettingSpec

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n)
    for n in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "169.254.0.0/16",
        "::1/128",
        "fc00::/7",
        "fe80::/10",
    )
)
PRIVATE_SUFFIXES = ("local", "internal", "lan", "corp", "localhost", "home.arpa")
_NAME = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*")
_NUMERIC = re.compile(r"[0-9a-fx.]+")  # what inet_aton might read as an IPv4 address


def _address(host: str) -> IPAddress | None:
    """``host`` as an address when it is one, in any form the resolver accepts; else None."""
    try:
        address: IPAddress = ipaddress.ip_address(host)
    except ValueError:
        if not _NUMERIC.fullmatch(host) or not any(c.isdigit() for c in host):
            return None
        try:  # "2130706433", "0x7f.1", "010.0.0.1": no DNS, only the number forms
            address = ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _entry_problem(entry: str) -> str | None:
    text = entry.strip().lower().rstrip(".")
    if "/" in text:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return f"{entry!r} is not a network (write it like 203.0.113.0/24)"
        return None
    if _address(text) is not None:
        return None
    name = text[2:] if text.startswith("*.") else text.lstrip(".")
    if not _NAME.fullmatch(name):
        return (
            f"{entry!r} is not a host name: write llm.corp.example, *.corp.example or an "
            "address, without http:// or a port"
        )
    return None


def allowed_hosts_problem(value: Any) -> str | None:
    """What is wrong with a list of allowed hosts, in plain words; None when it is fine."""
    for entry in value:
        if not isinstance(entry, str):
            return f"{entry!r} is not a host name"
        problem = _entry_problem(entry)
        if problem is not None:
            return problem
    return None


def _listed(name: str, address: IPAddress | None, allowed: Iterable[str]) -> bool:
    for entry in allowed:
        text = str(entry).strip().lower().rstrip(".")
        if not text or _entry_problem(text) is not None:
            continue
        if "/" in text:
            if address is not None and address in ipaddress.ip_network(text, strict=False):
                return True
            continue
        listed_address = _address(text)
        if listed_address is not None:
            if address == listed_address:
                return True
            continue
        if address is not None:
            continue
        if text.startswith(("*.", ".")):
            domain = text.lstrip("*").lstrip(".")
            if name == domain or name.endswith("." + domain):
                return True
        elif name == text:
            return True
    return False


def is_listed_host(host: str, allowed: Iterable[str]) -> bool:
    """True when IT named ``host`` (or its domain, or its network) in ``allowed``."""
    name = host.strip().lower().rstrip(".")
    return bool(name) and _listed(name, _address(name), allowed)


def is_own_host(host: str, allowed: Iterable[str] = ()) -> bool:
    """True when ``host`` is one of the organisation's own servers (module docstring)."""
    name = host.strip().lower().rstrip(".")
    if not name:
        return False
    address = _address(name)
    if _listed(name, address, allowed):
        return True
    if address is not None:
        return any(address in network for network in PRIVATE_NETWORKS)
    if name == "localhost":
        return True
    if not _NAME.fullmatch(name):  # non-ASCII, "%", spaces: a resolver may read it otherwise
        return False
    if "." not in name:
        return True
    return any(name.endswith("." + suffix) for suffix in PRIVATE_SUFFIXES)


def hosts_to_trust(users_list: Sequence[Any]) -> tuple[str, ...]:
    """The allowed hosts that count: IT's own list when IT locked ``llm.allow_cloud`` on the
    machine (the user's list cannot widen IT's lock), else the workspace's setting."""
    from services.core.policy import current_policy

    policy = current_policy()
    if "llm.allow_cloud" in policy.machine_locked:
        return tuple(str(h) for h in policy.machine.get("llm.allowed_hosts", ()))
    return tuple(str(h) for h in users_list)


LLM_HOST_SPECS = (
    SettingSpec(
        "llm.allowed_hosts",
        list,
        [],
        "The organisation's own AI servers",
        allowed_hosts_problem,
        "Email drafting",
        help="With cloud AI services off, drafts may also use these servers: host names "
        "(llm.corp.example), domains (*.corp.example) or addresses (203.0.113.0/24). "
        "Servers on this computer or a private network are always allowed. Usually set by IT.",
        # Beside "Allow cloud AI services" (services/settings/outreach.py): what may leave
        # the computer, the workspace's to say.
        section="Privacy",
        order=77,
    ),
)
