"""The demo's world: its names, shares, archetypes, campaigns and ticket topics."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import Table

from models.schema import (
    Action,
    Alert,
    AuditEvent,
    Contact,
    ContactChange,
    Contract,
    Customer,
    CustomerRollup,
    DemoTruth,
    ImportRun,
    Interaction,
    Opportunity,
    Order,
    Outreach,
    RenewalCall,
    RenewalForecast,
    ScoreSnapshot,
    Subscription,
    UsageDay,
)

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
# A bigger demo is generated and written in batches of at most this many customers (about
# 2 GB of generated rows each), each batch's seed SHARD_SEED_STEP further on.
DEMO_SHARD = 100_000
SHARD_SEED_STEP = 1_000_003
_EPOCH = dt.date(1970, 1, 1)
_DAY = 86_400

# Child tables first so that foreign keys never point at a deleted row mid-way.
DATA_TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        Outreach,
        Action,
        Alert,
        RenewalCall,
        RenewalForecast,
        ScoreSnapshot,
        CustomerRollup,
        Interaction,
        Order,
        Opportunity,
        Contract,
        Subscription,
        UsageDay,
        ContactChange,
        Contact,
        Customer,
        ImportRun,
        AuditEvent,
        DemoTruth,
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

# The help desk's ticket type of each ticket subject (Zendesk's "Ticket type" column,
# which its importer keeps in the ticket's attributes).
TICKET_TYPES = {
    "Where is my order?": "Delivery",
    "Missing item from order": "Delivery",
    "Change shipping address": "Delivery",
    "Wrong size received": "Sizing & fit",
    "Question about sizing": "Sizing & fit",
    "Item arrived damaged": "Product quality",
    "Return request": "Returns & exchanges",
    "Exchange for a different color": "Returns & exchanges",
    "Refund not received": "Billing & refunds",
    "Discount code not working": "Billing & refunds",
}
# The retailer's fit tool: its usage arrives as customer attributes.
FIT_TOOL = "FitMap"


def campaign_type(subject: str) -> str:
    """The type of a marketing campaign, by its subject: Gift guide, Sale or Seasonal
    launch (personal outreach has none)."""
    words = subject.lower()
    if "gift" in words:
        return "Gift guide"
    if any(w in words for w in ("% off", "sale", "free shipping", "black friday", "markdown")):
        return "Sale"
    return "Seasonal launch"
