"""Seeded, deterministic demo data: "Northwind Apparel", a B2C clothing retailer.

``build_demo`` fills a migrated workspace with about three years of customers,
orders, emails, tickets, reviews, deals and memberships. The same (customers,
seed, today) always gives the same rows, so screenshots, tests and backtests
are reproducible.

The data carries real signal on purpose, because scoring and alerts are judged
on it: every customer follows a lifecycle archetype (VIP, loyal, seasonal,
occasional, new, one-time, lapsing, churned). Lapsing and churned customers
show longer gaps between orders, bad-satisfaction tickets soon after their last
order, lower ratings, fading email opens and more unsubscribes; VIP and loyal
customers open and click more. The archetype is kept in
``customers.attributes["demo_archetype"]`` so a data scientist can check a
model against the ground truth.

Generation is vectorised with numpy (a few loops over archetypes or rounds,
never over orders), then written with SQLAlchemy Core ``executemany`` inserts
in chunks, all in one transaction, so the same code runs on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Engine, Table, delete, exists, insert, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.db import translate_db_errors
from models.errors import UserFacingError, WorkspaceError
from models.schema import (
    Action,
    Alert,
    AuditEvent,
    Customer,
    CustomerRollup,
    ImportRun,
    Interaction,
    Opportunity,
    Order,
    Outreach,
    ScoreSnapshot,
    Subscription,
)
from services.rollups import refresh_rollups
from services.settings import get_setting, set_setting

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
ObjArray = npt.NDArray[np.object_]

DEMO_SETTING = "workspace.demo"
SOURCE = "demo"
BRAND = "Northwind Apparel"
HISTORY_DAYS = 3 * 365
INSERT_CHUNK = 50_000
BULK_CACHE_KIB = 256 * 1024  # SQLite page cache while loading
_EPOCH = dt.date(1970, 1, 1)
_DAY = 86_400

# Child tables first so that foreign keys never point at a deleted row mid-way.
DATA_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        Outreach,
        Action,
        Alert,
        ScoreSnapshot,
        CustomerRollup,
        Interaction,
        Order,
        Opportunity,
        Subscription,
        Customer,
        ImportRun,
        AuditEvent,
    )
)

REFUSAL = (
    "This workspace holds your own data; the demo will not overwrite it. "
    "Build the demo in another workspace with --db PATH."
)

OWNERS = ("Maya Thompson", "Daniel Okafor", "Priya Raman", "Lucas Moreno", "Hannah Becker")
# One owner per region (index i covers REGIONS[i]); a few customers cross over.
REGIONS = ("Northeast", "Southeast", "Midwest", "Southwest", "West")
REGION_SHARES = (0.18, 0.24, 0.21, 0.13, 0.24)
# (city, state, area code) per region; 555-01xx numbers are reserved for fiction.
CITIES: tuple[tuple[tuple[str, str, str], ...], ...] = (
    (("New York", "NY", "212"), ("Boston", "MA", "617"), ("Philadelphia", "PA", "215"),
     ("Newark", "NJ", "973")),
    (("Atlanta", "GA", "404"), ("Miami", "FL", "305"), ("Charlotte", "NC", "704"),
     ("Nashville", "TN", "615")),
    (("Chicago", "IL", "312"), ("Columbus", "OH", "614"), ("Minneapolis", "MN", "612"),
     ("Detroit", "MI", "313")),
    (("Phoenix", "AZ", "602"), ("Dallas", "TX", "214"), ("Austin", "TX", "512"),
     ("Albuquerque", "NM", "505")),
    (("San Francisco", "CA", "415"), ("Seattle", "WA", "206"), ("Portland", "OR", "503"),
     ("Los Angeles", "CA", "310")),
)  # fmt: skip

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sophia", "Elijah", "Isabella",
    "Lucas", "Mia", "Ethan", "Amara", "Kenji", "Priya", "Arjun", "Fatima", "Omar", "Mei",
    "Wei", "Sofia", "Diego", "Camila", "Santiago", "Aaliyah", "Jamal", "Chloe", "Owen",
    "Grace", "Henry", "Zoë", "Samuel", "Layla", "Daniel", "Hana", "Yusuf", "Nora", "Leo",
    "Aisha", "Gabriel", "Maya", "Julian", "Ingrid", "Lars", "Chiara", "Marco", "Nadia",
    "Ivan", "Siobhan", "Declan", "Ama", "Kwame", "Lucía", "Andrés", "Thu", "Minh", "Ji-woo",
    "Min-jun", "Rosa", "Carlos", "Elena", "David", "Sarah", "Michael", "Jessica", "Chris",
    "Ashley", "Brandon", "Megan", "Tyler", "Rachel", "Kevin", "Lauren", "Jordan", "Taylor",
    "Morgan", "Riley", "Alex", "Dana", "Ruth",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
    "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
    "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen",
    "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams",
    "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
    "Patel", "Shah", "Kim", "Park", "Chen", "Wang", "Tanaka", "Sato", "Okafor", "Mensah",
    "Haddad", "Khan", "Ali", "O'Brien", "Murphy", "Kowalski", "Novak", "Rossi", "Bianchi",
    "Müller", "Schmidt", "Larsen", "Johansson", "Cohen", "Levy", "Silva", "Santos",
    "Pereira", "Dubois", "Nakamura",
)  # fmt: skip
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
COMPANIES = (
    "Bluebird Events", "Harbor Lane Realty", "Cedar & Pine Dental", "Summit Ridge Partners",
    "Lakeside Yoga Studio", "Brightline Consulting", "Maple Street Bakery",
    "Riverbend Architects", "Golden Hour Weddings", "Copperleaf Marketing",
    "Northgate Law Group", "Willow Creek Clinic", "Ironwood Fitness", "Pinecrest Academy",
    "Silverline Travel", "Oakmont Financial",
)  # fmt: skip

CATEGORIES = (
    "Tops", "Dresses", "Denim", "Outerwear", "Knitwear", "Shoes", "Accessories", "Activewear",
)  # fmt: skip
# What a customer calls one item of the category, for ticket and review text.
CATEGORY_ITEMS = ("top", "dress", "jeans", "jacket", "sweater", "shoes", "scarf", "leggings")
_CATEGORY_BASE = np.array([0.20, 0.12, 0.14, 0.08, 0.08, 0.14, 0.14, 0.10])
CHANNELS = ("online", "store", "app")
_CHANNEL_SHARES = (0.60, 0.25, 0.15)
TIERS = ("Bronze", "Silver", "Gold", "Platinum")
# Lifetime paid spend, in cents, at which each tier above Bronze starts.
_TIER_CENTS = (250_00, 1_000_00, 3_000_00)


@dataclass(frozen=True)
class _Archetype:
    """How one kind of customer buys and behaves; rates drive all randomness."""

    name: str
    share: float
    order_gap_days: float  # mean days between orders while active (0: one order)
    basket_usd: float  # median order value
    open_rate: float  # chance to open a campaign email while engaged
    click_rate: float  # chance to click, given an open
    unsub_hazard: float  # chance to unsubscribe from one campaign email
    ticket_rate: float  # support tickets per order
    bad_ticket: float  # share of solved tickets rated "bad"
    review_rate: float  # reviews per order
    review_mean: float  # mean star rating
    owner_touch: float  # calls and notes by the account manager per customer
    opportunity_rate: float  # deals per customer
    win_rate: float  # share of closed deals won
    club_share: float  # share in the Style Club membership
    club_cancel: float  # share of members who canceled


# Shares sum to 1. Values follow the field order of _Archetype:
#   share, order gap, basket
#   open, click, unsub | ticket, bad | review, stars | touch, deal, win | club, cancel
ARCHETYPES = (
    _Archetype("vip",        .04,  18, 190,
               .55, .32, .002,  .040, .05,  .08, 4.6,  2.0, .90, .60,  .45, .08),
    _Archetype("loyal",      .16,  38, 105,
               .46, .25, .003,  .045, .07,  .07, 4.4,  .35, .25, .50,  .30, .10),
    _Archetype("seasonal",   .12,  90, 115,
               .36, .20, .005,  .050, .10,  .06, 4.2,  .10, .08, .45,  .12, .20),
    _Archetype("occasional", .20, 115,  80,
               .28, .15, .004,  .055, .12,  .05, 4.0,  .05, .04, .40,  .08, .25),
    _Archetype("new",        .08,  30,  75,
               .42, .22, .006,  .070, .10,  .05, 4.2,  .10, .05, .40,  .10, .10),
    _Archetype("one_time",   .14,   0,  62,
               .20, .10, .006,  .090, .22,  .04, 3.6,  .02, .01, .30,  .03, .50),
    _Archetype("lapsing",    .12,  55,  90,
               .40, .18, .010,  .080, .30,  .06, 3.5,  .30, .12, .25,  .25, .55),
    _Archetype("churned",    .14,  70,  70,
               .30, .10, .012,  .090, .35,  .05, 3.1,  .05, .03, .15,  .15, .85),
)  # fmt: skip
_VIP, _LOYAL, _SEASONAL, _OCCASIONAL, _NEW, _ONE_TIME, _LAPSING, _CHURNED = range(8)

# Relative order intensity by calendar month (Jan..Dec): holiday peak for everyone,
# and for seasonal buyers almost nothing outside spring and November-December.
_MONTH_WEIGHT = np.array(
    [
        [0.60, 0.60, 0.80, 0.80, 0.85, 0.75, 0.70, 0.80, 0.75, 0.80, 1.00, 1.00],
        [0.04, 0.06, 0.90, 1.00, 0.85, 0.08, 0.05, 0.06, 0.06, 0.12, 1.00, 0.95],
    ]
)
# Order hour of day (store clock): lunch and evening peaks, nothing at night.
_HOUR_WEIGHT = np.array(
    [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 7, 7, 5, 4, 4, 5, 6, 7, 7, 5, 3, 0], dtype=float
)

CAMPAIGN_COUNT = 13  # every four weeks over the last year
CAMPAIGN_REACH = 0.8  # share of the mailing list in each campaign's segment
CAMPAIGN_SUBJECTS = {
    1: ("New Year, new denim: 20% off", "Winter sale: final markdowns"),
    2: ("Valentine's Day gift picks", "Cozy knits, now 30% off"),
    3: ("Spring dresses just landed", "Fresh layers for spring"),
    4: ("The spring denim edit", "Easter weekend: free shipping"),
    5: ("Mother's Day gift guide", "Summer preview: new arrivals"),
    6: ("Summer essentials are here", "Linen season starts now"),
    7: ("Mid-summer sale: up to 40% off", "Vacation-ready outfits"),
    8: ("Back to school: denim and more", "Last call for summer styles"),
    9: ("Fall Collection is here", "New knitwear for cooler days"),
    10: ("The outerwear edit", "Sweater weather is back"),
    11: ("Black Friday starts now: 30% off sitewide", "Early access to holiday gifts"),
    12: ("Holiday gift guide", "Last shipping day for holiday delivery"),
}

# (subject, text, is a product or service failure)
TICKET_TOPICS = (
    ("Where is my order?", "Hi, my order {order} hasn't arrived and tracking hasn't "
     "updated in a week. Can you check?", False),
    ("Wrong size received", "I ordered a medium but the {item} in order {order} is a "
     "small. Can I exchange it?", True),
    ("Item arrived damaged", "The {item} from order {order} arrived with a torn seam. "
     "Please advise.", True),
    ("Return request", "I'd like to return the {item} from order {order}; the fit "
     "isn't right for me.", True),
    ("Refund not received", "I sent back order {order} two weeks ago and still haven't "
     "seen the refund.", True),
    ("Missing item from order", "Order {order} arrived without the {item} I paid for.", True),
    ("Question about sizing", "How does your {item} run? I'm between sizes and want to "
     "get it right.", False),
    ("Discount code not working", "The code from your email didn't apply at checkout "
     "for order {order}.", False),
    ("Change shipping address", "Can I change the delivery address for order {order}? "
     "I've moved.", False),
    ("Exchange for a different color", "Could I swap the {item} from order {order} for "
     "another color?", False),
)  # fmt: skip
_TICKET_TOPIC_WEIGHT = np.array([0.20, 0.12, 0.07, 0.16, 0.07, 0.05, 0.12, 0.08, 0.06, 0.07])
_FAILURE_TOPICS = np.array([i for i, t in enumerate(TICKET_TOPICS) if t[2]])
SATISFACTIONS = ("good", "bad", "offered", "unoffered")
TICKET_CHANNELS = ("email", "chat", "phone", "web")
_TICKET_CHANNEL_SHARES = (0.45, 0.30, 0.15, 0.10)

# (title, text) by star rating: low ratings complain about sizing and quality.
REVIEWS: dict[int, tuple[tuple[str, str], ...]] = {
    1: (
        ("Runs very small", "Ordered my usual size and the {item} was two sizes too "
         "small. Returning it."),
        ("Fell apart", "The {item} fell apart after two washes. Very disappointed for the "
         "price."),
        ("Not as pictured", "Color and fabric look nothing like the photos. Feels cheap."),
        ("Poor quality", "Stitching came loose within a week. Won't order again."),
    ),
    2: (
        ("Disappointing fit", "The {item} is cut strangely: tight in the shoulders and long "
         "in the body."),
        ("Pilled quickly", "Nice at first, but the {item} started pilling after a few "
         "wears."),
        ("Thin fabric", "Thinner material than expected and the size chart was off."),
    ),
    3: (
        ("It's okay", "The {item} is fine for the price, but the fit is a bit off."),
        ("Average", "Decent quality, runs slightly large. Kept it anyway."),
        ("Mixed feelings", "Love the color, not the fabric. It wrinkles easily."),
    ),
    4: (
        ("Really nice", "Good quality {item} and true to size. Shipping was a little slow."),
        ("Happy with it", "Comfortable and looks great. Would buy another color."),
        ("Good value", "Well made and fits well; the sleeves are slightly long."),
    ),
    5: (
        ("Love it!", "Fits perfectly and the quality is great. My new favorite {item}."),
        ("Perfect", "True to size, soft fabric, fast delivery. Already ordered another."),
        ("Great quality", "Held up beautifully after many washes. Worth every penny."),
    ),
}  # fmt: skip

OWNER_CALLS = (
    ("Check-in call", "Caught up on recent orders; happy with the service."),
    ("Spring preview invitation", "Invited to the private spring preview; will attend."),
    ("Styling appointment follow-up", "Followed up after the styling session; wants the "
     "linen line when it lands."),
    ("Called about late delivery", "Apologised for the delay and offered free express "
     "shipping next time."),
    ("Left voicemail", "No answer; left a voicemail about the new collection."),
)  # fmt: skip
OWNER_NOTES = (
    ("Contact preference", "Prefers email over phone calls."),
    ("Sizing note", "Asked about extended sizes in denim; pass on when available."),
    ("Gifting interest", "Mentioned corporate gifts for the team in Q4."),
    ("Return experience", "Unhappy with how long the last return took."),
)  # fmt: skip

OPPORTUNITY_TYPES = ("Corporate gifting", "Wardrobe styling", "Event order", "Personal shopping")
_OPPORTUNITY_TYPE_SHARES = (0.30, 0.30, 0.25, 0.15)
_OPPORTUNITY_MEDIAN_USD = (4000.0, 1200.0, 2500.0, 900.0)
OPEN_STAGES = ("Prospecting", "Qualified", "Proposal", "Negotiation")
_OPEN_STAGE_SHARES = (0.22, 0.33, 0.28, 0.17)
_STAGE_PROBABILITY = {
    "Prospecting": 0.1,
    "Qualified": 0.25,
    "Proposal": 0.5,
    "Negotiation": 0.75,
    "Closed Won": 1.0,
    "Closed Lost": 0.0,
}

CLUB_PLANS = (("Style Club Monthly", "month", 1, 14_99), ("Style Club Annual", "year", 12, 149_00))


class DemoCancelled(Exception):
    """The user cancelled the demo build; nothing was written."""


@dataclass(frozen=True)
class DemoSummary:
    """What build_demo wrote."""

    customers: int
    orders: int
    interactions: int
    opportunities: int
    subscriptions: int
    owners: tuple[str, ...]
    seed: int
    today: dt.date


def is_demo_workspace(session: Session) -> bool:
    """True when the workspace was built by build_demo (its demo marker setting is set)."""
    return get_setting(session, DEMO_SETTING) is not None


def build_demo(
    engine: Engine,
    *,
    customers: int = 2000,
    seed: int = 7,
    today: dt.date | None = None,
    progress: Callable[[float, str], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> DemoSummary:
    """Build or rebuild the demo data in one transaction; refuse to overwrite real data."""
    if customers < 1:
        raise UserFacingError("The demo needs at least 1 customer.")
    # UTC, like every stored timestamp: a local "today" ahead of UTC would date orders
    # in the future for the rest of the world.
    today = today or dt.datetime.now(dt.UTC).date()

    def step(fraction: float, message: str) -> None:
        if cancelled is not None and cancelled():
            raise DemoCancelled("The demo build was cancelled; the workspace is unchanged.")
        if progress is not None:
            progress(fraction, message)

    # Refuse before spending time on generation; checked again inside the write.
    with translate_db_errors(), Session(engine) as session:
        _refuse_real_data(session)
    data = _generate(customers, seed, today, step)

    step(0.28, "Preparing the workspace")
    with translate_db_errors(), engine.begin() as conn:
        with Session(bind=conn) as session:
            _refuse_real_data(session)
        _write(conn, data, step)
        built_at = utcnow()
        marker = {
            "customers": customers,
            "seed": seed,
            "today": today.isoformat(),
            "built_at": built_at.isoformat(timespec="seconds"),
        }
        with Session(bind=conn) as session:
            set_setting(session, DEMO_SETTING, marker)
            # The demo's orders are in US dollars, its money figures too.
            set_setting(session, "workspace.home_currency", "USD")
            session.add(
                AuditEvent(
                    occurred_at=built_at,
                    actor="demo",
                    action="demo_built",
                    entity_type="workspace",
                    details={**marker, **data.counts(), "brand": BRAND},
                )
            )
            session.flush()
        # Last chance to cancel: the rollback still leaves the workspace as it was.
        step(0.99, "Saving")
    if progress is not None:
        progress(1.0, "Demo workspace ready")
    counts = data.counts()
    return DemoSummary(
        customers=counts["customers"],
        orders=counts["orders"],
        interactions=counts["interactions"],
        opportunities=counts["opportunities"],
        subscriptions=counts["subscriptions"],
        owners=OWNERS,
        seed=seed,
        today=today,
    )


def _refuse_real_data(session: Session) -> None:
    has_customers = session.scalar(select(exists().select_from(Customer)))
    if has_customers and not is_demo_workspace(session):
        raise WorkspaceError(REFUSAL)


# --------------------------------------------------------------------------- tables


@dataclass
class _TableData:
    """Column arrays of one table; row dicts are built chunk by chunk at insert time."""

    table: Table
    columns: dict[str, npt.NDArray[Any]]
    # Generation index of each row's customer, turned into database ids at insert time.
    customer: IntArray | None = None

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    def rows(self, start: int, stop: int, customer_ids: IntArray | None) -> list[dict[str, Any]]:
        keys = list(self.columns)
        values = [self.columns[k][start:stop].tolist() for k in keys]
        if self.customer is not None:
            assert customer_ids is not None
            keys.append("customer_id")
            values.append(customer_ids[self.customer[start:stop]].tolist())
        return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


@dataclass
class _DemoData:
    customers: _TableData
    external_ids: list[str]  # customer external ids, in generation order
    children: list[_TableData] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {"customers": len(self.customers)}
        for part in self.children:
            name = part.table.name
            counts[name] = counts.get(name, 0) + len(part)
        for name in ("orders", "interactions", "opportunities", "subscriptions"):
            counts.setdefault(name, 0)
        return counts


@contextlib.contextmanager
def _bulk_load(conn: Connection) -> Iterator[None]:
    """On SQLite, a larger page cache while loading; restored afterwards.

    The default 2 MB cache thrashes once the order and interaction indexes grow
    past it, which made a 100,000-customer build take twice as long.
    """
    if conn.dialect.name != "sqlite":
        yield
        return
    previous = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        if not conn.invalidated:
            conn.exec_driver_sql(f"PRAGMA cache_size = {previous}")


def _write(conn: Connection, data: _DemoData, step: Callable[[float, str], None]) -> None:
    with _bulk_load(conn):
        _write_tables(conn, data, step)


def _write_tables(conn: Connection, data: _DemoData, step: Callable[[float, str], None]) -> None:
    for i, table in enumerate(DATA_TABLES):
        step(0.28 + 0.02 * i / len(DATA_TABLES), "Preparing the workspace")
        conn.execute(delete(table))
    step(0.30, "Writing customers")
    _insert(conn, data.customers, None)
    # Database ids, not generation positions, are what the child rows point at.
    c = Customer.__table__.c
    id_by_external = dict(conn.execute(select(c.external_id, c.id).where(c.source == SOURCE)).all())
    customer_ids = np.array([id_by_external[x] for x in data.external_ids], dtype=np.int64)
    total = sum(len(p) for p in data.children) or 1
    done = 0
    for part in data.children:
        for start in range(0, len(part), INSERT_CHUNK):
            step(0.32 + 0.66 * done / total, f"Writing {part.table.name}")
            stop = min(start + INSERT_CHUNK, len(part))
            conn.execute(insert(part.table), part.rows(start, stop, customer_ids))
            done += stop - start
    step(0.98, "Summing up each customer")
    refresh_rollups(conn)


def _insert(conn: Connection, part: _TableData, customer_ids: IntArray | None) -> None:
    for start in range(0, len(part), INSERT_CHUNK):
        stop = min(start + INSERT_CHUNK, len(part))
        conn.execute(insert(part.table), part.rows(start, stop, customer_ids))


# ----------------------------------------------------------------------- generation


def _param(name: str) -> FloatArray:
    return np.array([getattr(a, name) for a in ARCHETYPES], dtype=np.float64)


def _objects(values: Sequence[Any]) -> ObjArray:
    """An object array of Python values (never numpy scalars, which drivers reject)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _nones(n: int) -> ObjArray:
    return np.full(n, None, dtype=object)


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _pick(rng: np.random.Generator, cumulative: FloatArray) -> IntArray:
    """One draw per row from row-specific distributions given as cumulative rows."""
    u = rng.random(len(cumulative)) * cumulative[:, -1]
    return np.asarray((cumulative < u[:, None]).sum(axis=1), dtype=np.int64)


def _exact_shares(rng: np.random.Generator, n: int, shares: Sequence[float]) -> IntArray:
    """Labels with exactly the given shares (largest remainder), in random order."""
    raw = np.asarray(shares) * n
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(-(raw - counts), kind="stable")[: n - counts.sum()]] += 1
    return np.asarray(rng.permutation(np.repeat(np.arange(len(shares)), counts)), np.int64)


def _month_of(days: IntArray) -> IntArray:
    """Calendar month (0..11) of day numbers counted from 1970-01-01."""
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return np.asarray(months % 12, dtype=np.int64)


def _day_of_month(days: IntArray) -> IntArray:
    """Day of the month (1..31) of day numbers counted from 1970-01-01."""
    d = days.astype("datetime64[D]")
    return np.asarray((d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1)


def _place(
    rng: np.random.Generator,
    lo: FloatArray,
    hi: FloatArray,
    warp: FloatArray,
    season: IntArray,
) -> FloatArray:
    """Order times in [lo, hi): warped uniform, thinned by calendar seasonality.

    warp > 1 packs orders early in the window so the gaps lengthen towards its end
    (how a lapsing customer drifts away). Rejection sampling runs in rounds over
    all pending orders at once.
    """
    out = np.empty(len(lo))
    todo = np.arange(len(lo))
    peak = _MONTH_WEIGHT.max(axis=1)
    for _ in range(40):
        u = rng.random(len(todo)) ** warp[todo]
        t = lo[todo] + u * (hi[todo] - lo[todo])
        weight = _MONTH_WEIGHT[season[todo], _month_of(np.floor(t).astype(np.int64))]
        ok = rng.random(len(todo)) * peak[season[todo]] < weight
        out[todo[ok]] = t[ok]
        todo = todo[~ok]
        if len(todo) == 0:
            break
    else:  # a window with no in-season day left: keep the last candidates
        out[todo] = t[~ok]
    return out


def _generate(n: int, seed: int, today: dt.date, step: Callable[[float, str], None]) -> _DemoData:
    rng = np.random.default_rng(seed)
    today_day = (today - _EPOCH).days  # events happen strictly before today 00:00 UTC
    step(0.02, "Generating orders")
    arch = _exact_shares(rng, n, [a.share for a in ARCHETYPES])
    orders = _orders(rng, arch, today_day)
    step(0.12, "Generating customers")
    cust = _customers(rng, arch, orders, today_day)
    step(0.18, "Generating emails")
    emails = _emails(rng, arch, cust, today_day)
    step(0.22, "Generating tickets and reviews")
    support = _support(rng, arch, cust, orders, today_day)
    touches = _owner_touches(rng, arch, cust, today_day)
    step(0.25, "Generating opportunities and memberships")
    opportunities, corporate = _opportunities(rng, arch, cust, today_day)
    subscriptions = _subscriptions(rng, arch, cust, today_day)

    # Corporate deals belong to customers who buy for a company.
    with_company = corporate[rng.random(len(corporate)) < 0.8]
    cust.company[with_company] = _objects(
        [COMPANIES[i] for i in rng.integers(0, len(COMPANIES), len(with_company))]
    )
    # The shop's marketing flag reflects the unsubscribes.
    attributes = cust.columns["attributes"]
    for i in np.unique(emails.customer[emails.kind == "unsubscribe"]).tolist():
        attributes[i]["accepts_marketing"] = False
    email_table = _interaction_table(emails, today_day, detailed=False)
    support_table = _interaction_table(support, today_day, detailed=True)
    return _DemoData(
        customers=cust.table(),
        external_ids=cust.external_ids,
        children=[orders.table, email_table, support_table, touches, opportunities, subscriptions],
    )


@dataclass
class _Orders:
    """Orders plus the per-customer facts that later steps derive behaviour from."""

    table: _TableData
    customer: IntArray  # generation index per order, sorted by (customer, time)
    day: IntArray
    item: IntArray  # category index
    external: ObjArray
    is_last: BoolArray
    first_day: IntArray  # per customer
    last_day: IntArray  # per customer
    spend_cents: IntArray  # per customer, paid orders only
    favorite: IntArray  # per customer favourite category
    channel: IntArray  # per customer preferred channel


def _orders(rng: np.random.Generator, arch: IntArray, today_day: int) -> _Orders:
    n = len(arch)
    today = float(today_day)
    start_ago = np.empty(n)
    end_ago = np.zeros(n)
    # Active window of each archetype, in days before today (see the module docstring).
    windows = {
        _VIP: (420, HISTORY_DAYS),
        _LOYAL: (300, HISTORY_DAYS),
        _SEASONAL: (400, HISTORY_DAYS),
        _OCCASIONAL: (200, HISTORY_DAYS),
        _NEW: (1, 70),
        _ONE_TIME: (75, HISTORY_DAYS),
    }
    for a, (low, high) in windows.items():
        m = arch == a
        start_ago[m] = rng.uniform(low, high, m.sum())
    lapsing, churned = arch == _LAPSING, arch == _CHURNED
    # Leavers: a last order long ago, and a history of some length before it that
    # still fits in the window (clipping it would pile first orders on one day).
    for mask, (end_low, end_high), (span_low, span_high) in (
        (lapsing, (120, 300), (240, 800)),
        (churned, (380, 1000), (30, 600)),
    ):
        end = rng.uniform(end_low, end_high, mask.sum())
        room = np.minimum(span_high, HISTORY_DAYS - end)
        end_ago[mask] = end
        start_ago[mask] = end + span_low + rng.random(mask.sum()) * (room - span_low)
    lo, hi = today - start_ago, today - end_ago

    gap = _param("order_gap_days")[arch]
    span = hi - lo
    interior = rng.poisson(np.where(gap > 0, span / np.maximum(gap, 1), 0)).astype(np.int64)
    seasonal = arch == _SEASONAL
    interior[seasonal] = np.maximum(interior[seasonal], 1)
    forced_first = ~seasonal
    forced_last = lapsing | churned
    # Long, lengthening gaps before a customer lapses or leaves.
    warp = np.select([lapsing, churned], [1.8, 1.4], 1.0)

    inner_cust = np.repeat(np.arange(n), interior)
    inner_lo, inner_hi = lo[inner_cust], hi[inner_cust]
    if forced_last.any():
        # Interior orders stay strictly before the fixed last order.
        inner_hi = np.where(forced_last[inner_cust], inner_hi - 1.0, inner_hi)
    inner_t = _place(
        rng,
        inner_lo,
        np.maximum(inner_hi, inner_lo),
        warp[inner_cust],
        seasonal[inner_cust].astype(np.int64),
    )
    first_cust = np.flatnonzero(forced_first)
    last_cust = np.flatnonzero(forced_last)
    customer = np.concatenate([first_cust, last_cust, inner_cust]).astype(np.int64)
    t = np.concatenate([lo[first_cust], hi[last_cust], inner_t])
    order = np.lexsort((t, customer))
    customer, t = customer[order], t[order]
    day = np.minimum(np.floor(t).astype(np.int64), today_day - 1)
    count = len(customer)

    per_customer = np.bincount(customer, minlength=n)
    ends = np.cumsum(per_customer)
    starts = ends - per_customer
    is_last = np.zeros(count, dtype=bool)
    is_last[ends - 1] = True
    first_day, last_day = day[starts], day[ends - 1]

    # Basket size: lognormal by archetype times a per-customer taste for spending.
    taste = rng.lognormal(0.0, 0.25, n)
    median = _param("basket_usd")[arch] * taste
    dollars = np.clip(rng.lognormal(np.log(median[customer]), 0.55), 12.0, 2500.0)
    amount_cents = np.round(dollars * 100).astype(np.int64)
    unit_price = rng.lognormal(np.log(48.0), 0.35, count)
    items = np.clip(np.round(dollars / unit_price), 1, 15).astype(np.int64)

    troubled = (lapsing | churned)[customer]
    u = rng.random(count)
    refund_p = np.where(is_last & troubled, 0.25, 0.035)
    recent = day >= today_day - 3
    status = np.full(count, "paid", dtype=object)
    status[u < refund_p + 0.015] = "cancelled"
    status[u < refund_p] = "refunded"
    status[recent & (rng.random(count) < 0.4)] = "pending"

    preferred = rng.choice(len(CHANNELS), n, p=_CHANNEL_SHARES)
    channel = np.where(
        rng.random(count) < 0.75,
        preferred[customer],
        rng.choice(len(CHANNELS), count, p=_CHANNEL_SHARES),
    )
    month = _month_of(day)
    favorite = rng.choice(len(CATEGORIES), n, p=_CATEGORY_BASE)
    by_month = np.cumsum(_category_by_month(), axis=1)
    category = np.where(rng.random(count) < 0.45, favorite[customer], _pick(rng, by_month[month]))

    seconds = rng.choice(24, count, p=_HOUR_WEIGHT / _HOUR_WEIGHT.sum()) * 3600
    seconds += rng.integers(0, 3600, count)
    when = (day * _DAY + seconds).astype("datetime64[s]")
    # Shop order numbers count up in time, like "#1001" in a Shopify export.
    chrono = np.argsort(when, kind="stable")
    number = np.empty(count, dtype=np.int64)
    number[chrono] = np.arange(1001, 1001 + count)
    external = _objects([f"#{k}" for k in number.tolist()])

    paid = status == "paid"
    spend = np.bincount(customer, weights=np.where(paid, amount_cents, 0), minlength=n)
    table = _TableData(
        Order.__table__,  # type: ignore[arg-type]
        {
            "external_id": external[chrono],
            "source": np.full(count, SOURCE, dtype=object),
            "order_date": when[chrono],
            "amount_cents": amount_cents[chrono],
            "currency": np.full(count, "USD", dtype=object),
            "status": status[chrono],
            "channel": _objects(CHANNELS)[channel[chrono]],
            "category": _objects(CATEGORIES)[category[chrono]],
            "items": items[chrono],
        },
        customer=customer[chrono],
    )
    return _Orders(
        table=table,
        customer=customer,
        day=day,
        item=category,
        external=external,
        is_last=is_last,
        first_day=first_day,
        last_day=last_day,
        spend_cents=spend.astype(np.int64),
        favorite=favorite,
        channel=preferred,
    )


def _category_by_month() -> FloatArray:
    """Category mix per calendar month: coats and knits in winter, dresses in summer."""
    w = np.tile(_CATEGORY_BASE, (12, 1))
    winter, summer = [0, 1, 9, 10, 11], [4, 5, 6, 7]
    tops, dresses, _denim, outer, knit, _shoes, acc, active = range(8)
    w[np.ix_(winter, [outer])] *= 3.0
    w[np.ix_(summer, [outer])] *= 0.3
    w[np.ix_(winter, [knit])] *= 2.5
    w[np.ix_(summer, [knit])] *= 0.3
    w[np.ix_([3, 4, 5, 6, 7], [dresses])] *= 1.8
    w[np.ix_([0, 1, 10, 11], [dresses])] *= 0.6
    w[np.ix_([0, 4, 5, 6], [active])] *= 1.5
    w[np.ix_([10, 11], [acc])] *= 1.5
    w[np.ix_(summer, [tops])] *= 1.2
    return np.asarray(w / w.sum(axis=1, keepdims=True), dtype=np.float64)


@dataclass
class _Customers:
    """Per-customer arrays in generation order, plus their final row order."""

    arch: IntArray
    first_day: IntArray
    last_day: IntArray
    signup_day: IntArray
    owner: IntArray
    opted_in: BoolArray
    dnc: BoolArray
    company: ObjArray
    external_ids: list[str]
    columns: dict[str, npt.NDArray[Any]]
    row_order: IntArray  # generation indices sorted by signup, so ids follow signup

    def table(self) -> _TableData:
        columns = dict(self.columns)
        columns["company"] = self.company
        return _TableData(
            Customer.__table__,  # type: ignore[arg-type]
            {k: v[self.row_order] for k, v in columns.items()},
        )


def _customers(
    rng: np.random.Generator, arch: IntArray, orders: _Orders, today_day: int
) -> _Customers:
    n = len(arch)
    # Most shoppers create the account with their first order; some browse first.
    lag = np.where(rng.random(n) < 0.65, 0, rng.integers(1, 60, n))
    signup_day = orders.first_day - lag
    row_order = np.lexsort((np.arange(n), signup_day))
    position = np.empty(n, dtype=np.int64)
    position[row_order] = np.arange(n)
    external_ids = [f"C{p + 1:06d}" for p in position.tolist()]

    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    first_ascii = [_ascii(x) for x in FIRST_NAMES]
    last_ascii = [_ascii(x) for x in LAST_NAMES]
    domain = rng.choice(len(EMAIL_DOMAINS), n, p=(0.6, 0.25, 0.15))
    names = [
        f"{FIRST_NAMES[f]} {LAST_NAMES[s]}"
        for f, s in zip(first.tolist(), last.tolist(), strict=True)
    ]
    # The signup position makes every address unique, as an identity key must be.
    emails = [
        f"{first_ascii[f]}.{last_ascii[s]}{p + 1}@{EMAIL_DOMAINS[d]}"
        for f, s, p, d in zip(
            first.tolist(), last.tolist(), position.tolist(), domain.tolist(), strict=True
        )
    ]

    region = rng.choice(len(REGIONS), n, p=REGION_SHARES)
    owner = np.where(rng.random(n) < 0.9, region, rng.integers(0, len(OWNERS), n))
    city = rng.integers(0, 4, n)
    has_phone = rng.random(n) < 0.7
    line = rng.integers(100, 200, n)
    phones = [
        f"({CITIES[r][c][2]}) 555-0{x}" if h else None
        for r, c, x, h in zip(
            region.tolist(), city.tolist(), line.tolist(), has_phone.tolist(), strict=True
        )
    ]
    tier = np.searchsorted(np.array(_TIER_CENTS), orders.spend_cents, side="right")
    dnc = rng.random(n) < np.where(arch == _CHURNED, 0.06, 0.025)
    opted_in = rng.random(n) < np.where(arch == _VIP, 0.92, 0.8)
    signup_at = (signup_day * _DAY + rng.integers(8 * 3600, 22 * 3600, n)).astype("datetime64[s]")
    last_seen = (orders.last_day * _DAY + 23 * 3600).astype("datetime64[s]")
    attributes = [
        {
            "demo_archetype": ARCHETYPES[a].name,
            "city": CITIES[r][c][0],
            "state": CITIES[r][c][1],
            "accepts_marketing": o,
            "preferred_channel": CHANNELS[ch],
            "favorite_category": CATEGORIES[fav],
        }
        for a, r, c, o, ch, fav in zip(
            arch.tolist(),
            region.tolist(),
            city.tolist(),
            opted_in.tolist(),
            orders.channel.tolist(),
            orders.favorite.tolist(),
            strict=True,
        )
    ]
    columns: dict[str, npt.NDArray[Any]] = {
        "external_id": _objects(external_ids),
        "source": np.full(n, SOURCE, dtype=object),
        "email": _objects(emails),
        "email_normalized": _objects(emails),  # already lower-case and trimmed
        "name": _objects(names),
        "phone": _objects(phones),
        "owner": _objects(OWNERS)[owner],
        "tier": _objects(TIERS)[tier],
        "region": _objects(REGIONS)[region],
        "signup_date": signup_day.astype("datetime64[D]"),
        "do_not_contact": dnc,
        "attributes": _objects(attributes),
        # The shop's own record dates, so rebuilding gives identical rows.
        "created_at": signup_at,
        "updated_at": np.maximum(signup_at, last_seen),
    }
    return _Customers(
        arch=arch,
        first_day=orders.first_day,
        last_day=orders.last_day,
        signup_day=signup_day,
        owner=owner.astype(np.int64),
        opted_in=opted_in,
        dnc=dnc,
        company=_nones(n),
        external_ids=external_ids,
        columns=columns,
        row_order=row_order.astype(np.int64),
    )


@dataclass
class _Events:
    """Interaction rows as columns; several sources are merged, then sorted by time."""

    kind: ObjArray
    customer: IntArray
    seconds: IntArray  # since 1970-01-01 UTC
    channel: ObjArray
    subject: ObjArray
    text: ObjArray
    sentiment: ObjArray
    rating: ObjArray
    status: ObjArray
    satisfaction: ObjArray

    @classmethod
    def plain(
        cls,
        kind: str,
        customer: IntArray,
        seconds: IntArray,
        channel: str | None,
        subject: ObjArray,
    ) -> _Events:
        n = len(customer)
        return cls(
            kind=np.full(n, kind, dtype=object),
            customer=customer,
            seconds=seconds,
            channel=np.full(n, channel, dtype=object),
            subject=subject,
            text=_nones(n),
            sentiment=_nones(n),
            rating=_nones(n),
            status=_nones(n),
            satisfaction=_nones(n),
        )

    def keep(self, mask: BoolArray) -> _Events:
        return _Events(**{k: v[mask] for k, v in vars(self).items()})

    @staticmethod
    def concat(parts: Sequence[_Events]) -> _Events:
        names = list(vars(parts[0]))
        return _Events(**{k: np.concatenate([vars(p)[k] for p in parts]) for k in names})


def _emails(rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int) -> _Events:
    """Campaign sends, opens, clicks and unsubscribes over the last year."""
    n = len(arch)
    last_tuesday = today_day - 2 - ((today_day - 2 - 5) % 7)  # 1970-01-06 was a Tuesday
    campaign_day = last_tuesday - 28 * np.arange(CAMPAIGN_COUNT - 1, -1, -1, dtype=np.int64)
    months = _month_of(campaign_day) + 1
    subjects = _objects([CAMPAIGN_SUBJECTS[m][k % 2] for k, m in enumerate(months.tolist())])
    # Marketing stops mailing people who have not bought in two years (list hygiene).
    days = campaign_day[None, :]
    eligible = (
        (cust.opted_in & ~cust.dnc)[:, None]
        & (cust.signup_day[:, None] <= days)
        & (days - cust.last_day[:, None] <= 730)
    )
    # Interest fades once a customer stops buying: the email signal scoring looks for.
    idle = np.maximum(0, days - cust.last_day[:, None] - 30)
    fade = np.maximum(0.12, np.exp(-idle / 120.0))
    hazard = _param("unsub_hazard")[arch][:, None] * (1.0 + 1.5 * (1.0 - fade))
    # Each campaign goes to a segment of the list, not to everyone on it.
    reached = eligible & (rng.random((n, CAMPAIGN_COUNT)) < CAMPAIGN_REACH)
    hit = reached & (rng.random((n, CAMPAIGN_COUNT)) < hazard)
    unsubscribed = hit.any(axis=1)
    unsub_at = np.where(unsubscribed, hit.argmax(axis=1), CAMPAIGN_COUNT)
    sent = reached & (np.arange(CAMPAIGN_COUNT)[None, :] <= unsub_at[:, None])

    taste = rng.lognormal(0.0, 0.35, n)[:, None]
    p_open = np.minimum(0.95, _param("open_rate")[arch][:, None] * taste * fade)
    is_unsub = np.arange(CAMPAIGN_COUNT)[None, :] == unsub_at[:, None]
    opened = sent & ((rng.random((n, CAMPAIGN_COUNT)) < p_open) | is_unsub)
    clicked = (
        opened & ~is_unsub & (rng.random((n, CAMPAIGN_COUNT)) < _param("click_rate")[arch][:, None])
    )

    send_seconds = campaign_day * _DAY + 14 * 3600  # 10 am Eastern
    sc, sk = np.nonzero(sent)
    sends = _Events.plain(
        "email_sent",
        sc,
        send_seconds[sk] + rng.integers(0, 2400, len(sc)),
        "email",
        subjects[sk],
    )
    oc, ok = np.nonzero(opened)
    open_delay = np.minimum(rng.exponential(7 * 3600, len(oc)), 96 * 3600).astype(np.int64)
    open_seconds = send_seconds[ok] + 2400 + open_delay
    opens = _Events.plain("email_open", oc, open_seconds, "email", subjects[ok])
    clicked_among_opened = clicked[oc, ok]
    clicks = _Events.plain(
        "email_click",
        oc[clicked_among_opened],
        open_seconds[clicked_among_opened] + rng.integers(20, 1200, clicked_among_opened.sum()),
        "email",
        subjects[ok][clicked_among_opened],
    )
    uc = np.flatnonzero(unsubscribed)
    uk = unsub_at[uc]
    unsubs = _Events.plain(
        "unsubscribe",
        uc,
        send_seconds[uk] + rng.integers(3600, 72 * 3600, len(uc)),
        "email",
        subjects[uk],
    )
    return _Events.concat([sends, opens, clicks, unsubs])


def _support(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, orders: _Orders, today_day: int
) -> _Events:
    """Tickets and reviews after orders; trouble clusters after a leaver's last order."""
    troubled = np.isin(arch, (_LAPSING, _CHURNED))
    oa = arch[orders.customer]
    # Tickets: a share of orders, plus a complaint soon after many leavers' last order.
    background = rng.random(len(oa)) < _param("ticket_rate")[oa]
    trigger = orders.is_last & troubled[orders.customer] & (rng.random(len(oa)) < 0.6)
    t_idx = np.flatnonzero(background | trigger)
    is_trigger = trigger[t_idx]
    t_cust = orders.customer[t_idx]
    t_day = orders.day[t_idx] + np.where(
        is_trigger, rng.integers(1, 21, len(t_idx)), rng.integers(1, 13, len(t_idx))
    )
    topic = np.where(
        is_trigger,
        rng.choice(_FAILURE_TOPICS, len(t_idx)),
        rng.choice(len(TICKET_TOPICS), len(t_idx), p=_TICKET_TOPIC_WEIGHT),
    )
    age = today_day - t_day
    u = rng.random(len(t_idx))
    late = np.where(troubled[t_cust], 0.03, 0.01)  # some stay unresolved past any SLA
    # Recent tickets are still being worked on; a few old ones never got resolved.
    recent_status = np.where(u < 0.35, "open", np.where(u < 0.65, "pending", "solved"))
    old_status = np.where(u < late, "open", "solved")
    status = np.where(age <= 14, recent_status, old_status).astype(object)
    bad = np.where(is_trigger, 0.65, _param("bad_ticket")[arch[t_cust]])
    good = np.where(is_trigger, 0.07, 0.58 - _param("bad_ticket")[arch[t_cust]])
    cumulative = np.stack([good, good + bad, good + bad + 0.25, good + bad + 0.42], axis=1)
    satisfaction = _pick(rng, cumulative)
    satisfaction[status != "solved"] = 3  # unoffered until the ticket is solved
    centre = np.array([0.5, -0.65, -0.15, -0.15])[satisfaction]
    sentiment = np.clip(centre + rng.normal(0, 0.2, len(t_idx)), -1, 1).round(3)
    items = [CATEGORY_ITEMS[i] for i in orders.item[t_idx].tolist()]
    texts = [
        TICKET_TOPICS[k][1].format(order=o, item=it)
        for k, o, it in zip(topic.tolist(), orders.external[t_idx].tolist(), items, strict=True)
    ]
    tickets = _Events(
        kind=np.full(len(t_idx), "ticket", dtype=object),
        customer=t_cust,
        seconds=t_day * _DAY + rng.integers(9 * 3600, 20 * 3600, len(t_idx)),
        channel=_objects(TICKET_CHANNELS)[
            rng.choice(len(TICKET_CHANNELS), len(t_idx), p=_TICKET_CHANNEL_SHARES)
        ],
        subject=_objects([s for s, _, _ in TICKET_TOPICS])[topic],
        text=_objects(texts),
        sentiment=_objects(sentiment.tolist()),
        rating=_nones(len(t_idx)),
        status=status,
        satisfaction=_objects(SATISFACTIONS)[satisfaction],
    )

    # Reviews: leavers often review their last order, and badly.
    r_last = orders.is_last & troubled[orders.customer] & (rng.random(len(oa)) < 0.25)
    r_idx = np.flatnonzero((rng.random(len(oa)) < _param("review_rate")[oa]) | r_last)
    r_cust = orders.customer[r_idx]
    mean = _param("review_mean")[arch[r_cust]] - np.where(r_last[r_idx], 1.6, 0.0)
    rating = np.clip(np.round(mean + rng.normal(0, 0.9, len(r_idx))), 1, 5).astype(np.int64)
    choice = rng.integers(0, 12, len(r_idx))
    review_items = [CATEGORY_ITEMS[i] for i in orders.item[r_idx].tolist()]
    titles, bodies = [], []
    for r, c, it in zip(rating.tolist(), choice.tolist(), review_items, strict=True):
        title, body = REVIEWS[r][c % len(REVIEWS[r])]
        titles.append(title)
        bodies.append(body.format(item=it))
    r_sentiment = np.clip((rating - 3) / 2 + rng.normal(0, 0.12, len(r_idx)), -1, 1).round(3)
    reviews = _Events(
        kind=np.full(len(r_idx), "review", dtype=object),
        customer=r_cust,
        seconds=(orders.day[r_idx] + rng.integers(5, 26, len(r_idx))) * _DAY
        + rng.integers(7 * 3600, 23 * 3600, len(r_idx)),
        channel=np.where(rng.random(len(r_idx)) < 0.7, "web", "app").astype(object),
        subject=_objects(titles),
        text=_objects(bodies),
        sentiment=_objects(r_sentiment.tolist()),
        rating=_objects(rating.tolist()),
        status=_nones(len(r_idx)),
        satisfaction=_nones(len(r_idx)),
    )
    both = _Events.concat([tickets, reviews])
    return both.keep(both.seconds < today_day * _DAY)


def _interaction_table(ev: _Events, today_day: int, *, detailed: bool) -> _TableData:
    """A chronological interaction table; tickets and reviews get source ids.

    Email rows leave out the columns they never fill: fewer keys per row makes
    the bulk insert markedly faster, and absent columns are NULL all the same.
    """
    ev = ev.keep(ev.seconds < today_day * _DAY)
    ev = ev.keep(np.argsort(ev.seconds, kind="stable"))  # type: ignore[arg-type]
    n = len(ev.kind)
    columns: dict[str, npt.NDArray[Any]] = {
        "kind": ev.kind,
        "occurred_at": ev.seconds.astype("datetime64[s]"),
        "channel": ev.channel,
        "subject": ev.subject,
        "source": np.full(n, SOURCE, dtype=object),
    }
    if detailed:
        external = _nones(n)
        for kind, prefix in (("ticket", "T"), ("review", "R")):
            where = np.flatnonzero(ev.kind == kind)
            external[where] = _objects([f"{prefix}{100001 + k}" for k in range(len(where))])
        columns |= {
            "text": ev.text,
            "sentiment": ev.sentiment,
            "rating": ev.rating,
            "status": ev.status,
            "satisfaction": ev.satisfaction,
            "external_id": external,
        }
    return _TableData(Interaction.__table__, columns, customer=ev.customer)  # type: ignore[arg-type]


def _owner_touches(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int
) -> _TableData:
    """Calls and notes logged by account managers, mostly on their best customers."""
    count = rng.poisson(_param("owner_touch")[arch])
    c = np.repeat(np.arange(len(arch)), count).astype(np.int64)
    lo = np.maximum(cust.first_day[c], today_day - 540)
    day = lo + np.floor(rng.random(len(c)) * (today_day - lo)).astype(np.int64)
    is_call = rng.random(len(c)) < 0.6
    pick = rng.integers(0, 20, len(c))
    subjects, texts = [], []
    for call, k in zip(is_call.tolist(), pick.tolist(), strict=True):
        subject, text = (OWNER_CALLS if call else OWNER_NOTES)[k % (5 if call else 4)]
        subjects.append(subject)
        texts.append(text)
    order = np.argsort(day, kind="stable")
    n = len(c)
    seconds = day * _DAY + rng.integers(9 * 3600, 18 * 3600, n)
    return _TableData(
        Interaction.__table__,  # type: ignore[arg-type]
        {
            "kind": np.where(is_call, "call", "note").astype(object)[order],
            "occurred_at": seconds.astype("datetime64[s]")[order],
            "channel": _objects(["phone" if call else None for call in is_call.tolist()])[order],
            "subject": _objects(subjects)[order],
            "text": _objects(texts)[order],
            "source": np.full(n, SOURCE, dtype=object),
            "attributes": _objects([{"by": OWNERS[o]} for o in cust.owner[c].tolist()])[order],
        },
        customer=c[order],
    )


def _opportunities(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int
) -> tuple[_TableData, IntArray]:
    """Deals in every stage, some stalled for weeks; leavers' deals mostly lost.

    Also returns the customers with corporate deals (gifting, events): they buy for
    a company.
    """
    count = np.minimum(rng.poisson(_param("opportunity_rate")[arch]), 3)
    c = np.repeat(np.arange(len(arch)), count).astype(np.int64)
    n = len(c)
    a = arch[c]
    troubled = np.isin(a, (_LAPSING, _CHURNED))
    first_ago = today_day - cust.first_day[c]
    last_ago = today_day - cust.last_day[c]
    # Deals start while the customer is active: never before the first order.
    hi_ago = np.maximum(np.minimum(first_ago, 450), 2)
    lo_ago = np.where(a == _CHURNED, np.minimum(last_ago, hi_ago - 1), 1)
    age = (lo_ago + rng.random(n) * (hi_ago - lo_ago)).astype(np.int64) + 1
    closed = rng.random(n) < np.clip(age / 160, 0.05, 0.97) + np.where(troubled, 0.2, 0)
    won = closed & (rng.random(n) < _param("win_rate")[a])
    open_stage = rng.choice(len(OPEN_STAGES), n, p=_OPEN_STAGE_SHARES)
    stage = np.where(
        closed, np.where(won, "Closed Won", "Closed Lost"), _objects(OPEN_STAGES)[open_stage]
    ).astype(object)
    # Stalled deals sit in Qualified or Proposal for weeks: the stalled-deal alert's food.
    stallable = ~closed & np.isin(
        open_stage, [OPEN_STAGES.index(s) for s in ("Qualified", "Proposal")]
    )
    stalled = stallable & (rng.random(n) < np.where(troubled, 0.7, 0.4))
    quiet = np.where(stalled, rng.integers(28, 100, n), rng.integers(1, 22, n))
    changed_ago = np.where(
        closed, np.maximum(1, age - rng.integers(14, 121, n)), np.minimum(quiet, age)
    )
    close_day = np.where(
        closed, today_day - changed_ago, today_day - changed_ago + rng.integers(21, 76, n)
    )
    kind = rng.choice(len(OPPORTUNITY_TYPES), n, p=_OPPORTUNITY_TYPE_SHARES)
    dollars = rng.lognormal(np.log(np.array(_OPPORTUNITY_MEDIAN_USD)[kind]), 0.5)
    amount = (np.maximum(np.round(dollars / 50) * 50, 100) * 100).astype(np.int64)
    created = (today_day - age) * _DAY + rng.integers(9 * 3600, 18 * 3600, n)
    changed = np.maximum(created, (today_day - changed_ago) * _DAY + 11 * 3600)
    order = np.argsort(created, kind="stable")
    names = [
        f"{OPPORTUNITY_TYPES[k]} – {cust.columns['name'][i]} ({_season(d)})"
        for k, i, d in zip(kind.tolist(), c.tolist(), close_day.tolist(), strict=True)
    ]
    table = _TableData(
        Opportunity.__table__,  # type: ignore[arg-type]
        {
            "external_id": _objects([f"OPP-{k + 1:05d}" for k in range(n)]),
            "source": np.full(n, SOURCE, dtype=object),
            "name": _objects(names)[order],
            "type": _objects(OPPORTUNITY_TYPES)[kind][order],
            "stage": stage[order],
            "amount_cents": amount[order],
            "currency": np.full(n, "USD", dtype=object),
            "probability": _objects([_STAGE_PROBABILITY[s] for s in stage[order].tolist()]),
            "created_at": created.astype("datetime64[s]")[order],
            "stage_changed_at": changed.astype("datetime64[s]")[order],
            "close_date": close_day.astype("datetime64[D]")[order],
            "closed": closed[order],
            "won": won[order],
            "owner": _objects(OWNERS)[cust.owner[c]][order],
        },
        customer=c[order],
    )
    company_kinds = [OPPORTUNITY_TYPES.index(t) for t in ("Corporate gifting", "Event order")]
    corporate = np.unique(c[np.isin(kind, company_kinds)]).astype(np.int64)
    return table, corporate


def _season(day: int) -> str:
    d = _EPOCH + dt.timedelta(days=day)
    name = (
        "Winter",
        "Winter",
        "Spring",
        "Spring",
        "Spring",
        "Summer",
        "Summer",
        "Summer",
        "Fall",
        "Holiday",
        "Holiday",
        "Holiday",
    )[d.month - 1]
    return f"{name} {d.year}"


def _subscriptions(
    rng: np.random.Generator, arch: IntArray, cust: _Customers, today_day: int
) -> _TableData:
    """Style Club memberships; members who drift away cancel around their last order."""
    members = np.flatnonzero(rng.random(len(arch)) < _param("club_share")[arch])
    n = len(members)
    a = arch[members]
    troubled = np.isin(a, (_LAPSING, _CHURNED))
    first, last = cust.first_day[members], cust.last_day[members]
    start = first + np.floor(rng.random(n) * (np.minimum(last, today_day - 1) - first + 1))
    start = start.astype(np.int64)
    cancel = rng.random(n) < _param("club_cancel")[a]
    cancel_day = np.where(
        troubled,
        last + rng.integers(0, 91, n),
        start + 30 + np.floor(rng.random(n) * np.maximum(today_day - 1 - start - 30, 0)),
    ).astype(np.int64)
    cancel_day = np.clip(cancel_day, start + 1, today_day - 1)
    cancel &= cancel_day > start
    past_due = ~cancel & (rng.random(n) < np.where(troubled, 0.12, 0.03))
    scheduled = ~cancel & ~past_due & (rng.random(n) < np.where(troubled, 0.15, 0.04))
    plan = (rng.random(n) < 0.35).astype(np.int64)  # 0 monthly, 1 annual
    months = np.array([p[2] for p in CLUB_PLANS])[plan]
    # Current period end: the first renewal date after today, or after the cancellation.
    until = np.where(cancel, cancel_day, today_day)
    start_m = start.astype("datetime64[D]").astype("datetime64[M]")
    # Renewals fall on the start's day of the month, or the 28th, which every month has.
    billing_day = (np.minimum(_day_of_month(start), 28) - 1).astype("timedelta64[D]")
    elapsed = (until.astype("datetime64[D]").astype("datetime64[M]") - start_m).astype(np.int64)
    periods = elapsed // months + 1
    period_end = (start_m + periods * months).astype("datetime64[D]") + billing_day
    behind = period_end.astype(np.int64) <= until
    period_end[behind] = (start_m[behind] + (periods[behind] + 1) * months[behind]).astype(
        "datetime64[D]"
    ) + billing_day[behind]
    status = np.where(cancel, "canceled", np.where(past_due, "past_due", "active")).astype(object)
    alphabet = np.array(list("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
    letters = alphabet[rng.integers(0, len(alphabet), (n, 14))]
    started_at = start * _DAY + rng.integers(8 * 3600, 22 * 3600, n)
    canceled_at = (cancel_day * _DAY + rng.integers(8 * 3600, 22 * 3600, n)).astype("datetime64[s]")
    canceled_at[~cancel] = np.datetime64("NaT")
    order = np.argsort(started_at, kind="stable")
    return _TableData(
        Subscription.__table__,  # type: ignore[arg-type]
        {
            "external_id": _objects(["sub_" + "".join(row) for row in letters.tolist()]),
            "source": np.full(n, SOURCE, dtype=object),
            "plan": _objects([p[0] for p in CLUB_PLANS])[plan][order],
            "status": status[order],
            "started_at": started_at.astype("datetime64[s]")[order],
            "current_period_end": (
                period_end.astype("datetime64[s]") + np.timedelta64(5 * 3600, "s")
            )[order],
            "canceled_at": canceled_at[order],
            "cancel_at_period_end": scheduled[order],
            "amount_cents": np.array([p[3] for p in CLUB_PLANS], dtype=np.int64)[plan][order],
            "currency": np.full(n, "USD", dtype=object),
            "interval": _objects([p[1] for p in CLUB_PLANS])[plan][order],
        },
        customer=members.astype(np.int64)[order],
    )
