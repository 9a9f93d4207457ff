"""Other ways customers and account managers say the same thing, so the demo's text reads
like people wrote it: each ticket topic, review and note has a few wordings of the same
meaning, star rating and reason.

A row's wording is picked from its position, not from the demo's random stream, so
adding wordings changed no other value of the demo.
"""

from __future__ import annotations

# Alternative bodies of each ticket topic, in TICKET_TOPICS order ({order}, {item}).
TICKET_WORDINGS: tuple[tuple[str, ...], ...] = (
    (
        "Order {order} still hasn't shown up and the tracking page says nothing new.",
        "It's been ten days and order {order} is nowhere. Tracking is stuck on 'label "
        "created'. Frustrating.",
        "Hello, any news on order {order}? The courier site hasn't updated since last week.",
        "My parcel {order} was due Monday. Nothing yet, please chase the carrier.",
        "Order {order} shows delivered but I never received it!",
    ),
    (
        "Got the {item} from order {order} today but it's the wrong size, I asked for a large.",
        "You sent a size 8 instead of the 12 I ordered ({order}). I need the right size "
        "for a wedding on Saturday.",
        "The {item} is way too tight, the label says small but I ordered medium. Order {order}.",
        "Wrong size again on order {order}. Second time this has happened, not impressed.",
        "Received the {item} in XL instead of S (order {order}). Please swap it.",
    ),
    (
        "The {item} in order {order} came with a hole in the sleeve. Really not happy.",
        "My {item} arrived stained and the box was crushed. Order {order}. I'd like a replacement.",
        "Zip on the {item} was broken straight out of the package (order {order}).",
        "The {item} from {order} has a big mark on the front. Can I get a new one?",
        "Sole of the {item} is coming off already. Order {order}. Unacceptable.",
    ),
    (
        "Please send a return label for the {item} from order {order}, it doesn't fit.",
        "I want to send back the {item} (order {order}). The length is wrong for me.",
        "How do I return order {order}? The {item} fits badly across the shoulders.",
        "Returning the {item} from {order}, it just isn't for me. Where do I send it?",
        "The {item} (order {order}) doesn't suit me, can I return it for a refund?",
    ),
    (
        "Still waiting on my refund for order {order}. You confirmed the return three weeks ago.",
        "Where is my money? I returned order {order} a month ago and nothing has come back "
        "to my card.",
        "Refund for {order} is overdue and nobody answers my emails. Very poor service.",
        "Third time asking: where is the refund for {order}? This is ridiculous.",
        "Could you confirm when the refund for order {order} will be processed?",
    ),
    (
        "The {item} is missing from order {order}; the packing slip lists it though.",
        "Only half of order {order} arrived. No {item} in the parcel.",
        "Order {order} came without the {item}. Was it shipped separately?",
        "Parcel for {order} was short one {item}. Please send it.",
        "The {item} wasn't in my box (order {order}) but I was charged for it.",
    ),
    (
        "Does the {item} run true to size? I'm usually a medium.",
        "What size {item} would you recommend for someone 5'6\" and 140 lb?",
        "Is there a size chart for the {item}? Your sizes seem to differ from other brands.",
        "Should I size up in the {item}? Reviews say it runs small.",
        "Thinking of buying the {item}. How long is it on a size 10?",
    ),
    (
        "Your promo code says invalid at checkout (order {order}). Can you apply it?",
        "I was charged full price on order {order} even though the 20% code was in the cart.",
        "The discount from the newsletter didn't work for order {order}, please refund the "
        "difference.",
        "Coupon rejected on order {order}. Annoying, I only ordered because of the offer.",
        "Is the loyalty discount applied automatically? It didn't show on order {order}.",
    ),
    (
        "Could you update the shipping address on order {order}? Wrong street number.",
        "I need order {order} delivered to my office instead of home, is that possible?",
        "Please redirect order {order}, I'm away next week.",
        "Can order {order} go to my neighbour at number 14?",
        "I typed the wrong postcode for {order}. Can you fix it before it ships?",
    ),
    (
        "Can I exchange the {item} from order {order} for the navy one?",
        "I love the {item} but would prefer it in black. Order {order}. Swap possible?",
        "Would like to swap the colour of my {item} (order {order}), same size.",
        "Great {item}, just want it in grey instead. Order {order}.",
        "Please exchange the {item} from {order} for the green version, thank you!",
    ),
)

# Alternative review bodies, keyed by the original body ({item}).
REVIEW_WORDINGS: dict[str, tuple[str, ...]] = {
    "Ordered my usual size and the {item} was two sizes too small. Returning it.": (
        "Size chart is completely wrong. The {item} is tiny, sending it back.",
        "Couldn't even get the {item} on. Runs at least two sizes small.",
        "Way too small. Had to return it, waste of time.",
        "The smallest large I have ever seen. Going back.",
    ),
    "The {item} fell apart after two washes. Very disappointed for the price.": (
        "Seams split after one wash. Awful quality for what I paid.",
        "The {item} shrank and came apart at the hem. Terrible.",
        "Holes after a month. Rubbish.",
        "Ripped the first time I wore the {item}. So disappointed.",
    ),
    "Color and fabric look nothing like the photos. Feels cheap.": (
        "The {item} looks nothing like the website. Scratchy, cheap material.",
        "Misleading photos. The colour is dull and the fabric is rough.",
        "Colour is totally different in person. Very disappointed.",
        "Looks cheap and nasty, nothing like the pictures.",
    ),
    "Stitching came loose within a week. Won't order again.": (
        "Buttons fell off the first day. Never buying from here again.",
        "Threads everywhere and a seam already open. Worst purchase this year.",
        "Poorly made, the {item} came apart at the seams.",
        "Horrible quality control. Returned for a refund.",
    ),
    "The {item} is cut strangely: tight in the shoulders and long in the body.": (
        "Odd fit on the {item}: baggy at the waist, short in the arms.",
        "The {item} doesn't sit right, too tight across the chest.",
        "Unflattering cut, the {item} bunches at the back.",
        "Fit is awkward; I had to get it altered.",
    ),
    "Nice at first, but the {item} started pilling after a few wears.": (
        "Looked good for a week, then the {item} bobbled all over.",
        "Faded badly after three washes. Disappointing.",
        "The {item} lost its shape quickly. Not great.",
        "Colour ran in the wash and the fabric went fuzzy.",
    ),
    "Thinner material than expected and the size chart was off.": (
        "Fabric is see-through and the sizing is inconsistent.",
        "Not worth the money, the {item} feels flimsy.",
        "Overpriced for how thin the {item} is.",
        "Cheap feel and the sizes are all over the place.",
    ),
    "The {item} is fine for the price, but the fit is a bit off.": (
        "The {item} is okay. Nothing special, sizing slightly odd.",
        "Decent {item}, though it runs a little long.",
        "The {item} is alright. Fit could be better.",
        "Acceptable for everyday wear, sizing a bit inconsistent.",
    ),
    "Decent quality, runs slightly large. Kept it anyway.": (
        "It's fine. A bit roomy but I kept it.",
        "Average quality, delivery took a while.",
        "Fine, nothing to write home about.",
        "Okay {item}. Slightly big but wearable.",
    ),
    "Love the color, not the fabric. It wrinkles easily.": (
        "Nice colour, but the material creases the moment you sit down.",
        "Pretty {item}, shame about the fabric.",
        "Like the style, dislike how it feels.",
        "Good design, but the {item} creases badly.",
    ),
    "Good quality {item} and true to size. Shipping was a little slow.": (
        "Solid {item}, fits as expected. Took a week to arrive.",
        "Happy with the {item}; delivery could be faster.",
        "Nice {item}, slow dispatch though.",
        "Good product, a few days late but worth the wait.",
    ),
    "Comfortable and looks great. Would buy another color.": (
        "Really comfortable {item}, I get compliments every time.",
        "Looks smart and feels good. Thinking of getting a second one.",
        "Very pleased with the {item}, comfy all day.",
        "Lovely {item}, my partner wants one too.",
    ),
    "Well made and fits well; the sleeves are slightly long.": (
        "Good value {item}, well finished. Sleeves a touch long.",
        "Nicely made, fits well overall.",
        "Fair price for a well-made {item}.",
        "Solid quality, good fit, no complaints.",
    ),
    "Fits perfectly and the quality is great. My new favorite {item}.": (
        "Absolutely love this {item}! Perfect fit and beautiful fabric.",
        "Best {item} I've bought in years. Excellent quality.",
        "Gorgeous! Exactly as pictured and fits like a dream.",
        "Wonderful {item}, I wear it all the time.",
    ),
    "True to size, soft fabric, fast delivery. Already ordered another.": (
        "Arrived in two days, fits perfectly and feels lovely. Ordered a second one.",
        "Soft, true to size and quick shipping. Very happy!",
        "Brilliant service and a beautiful {item}.",
        "Perfect fit, perfect colour, fast delivery. Thank you!",
    ),
    "Held up beautifully after many washes. Worth every penny.": (
        "Still looks new after months of wear. Fantastic quality.",
        "Great {item}, washes well and keeps its shape. Highly recommend.",
        "Amazing quality for the price. Will buy again.",
        "Durable and stylish. The {item} still looks new after a year.",
    ),
}

# Alternative texts of account managers' calls and notes, keyed by the original text.
NOTE_WORDINGS: dict[str, tuple[str, ...]] = {
    "Caught up on recent orders; happy with the service.": (
        "Quick catch-up; pleased with the last two orders.",
        "Customer says everything is going great; loves the new range.",
    ),
    "Invited to the private spring preview; will attend.": (
        "Sent the spring preview invitation; keen to come along.",
        "Spring preview: declined, too busy this season.",
    ),
    "Followed up after the styling session; wants the linen line when it lands.": (
        "Styling follow-up went well; asked to hear first about the linen range.",
        "Sent lookbook after the styling session; delighted with the picks.",
    ),
    "Apologised for the delay and offered free express shipping next time.": (
        "Customer annoyed about the late parcel; apologised and offered free express delivery.",
        "Delivery complaint escalated; customer angry it missed the event.",
    ),
    "No answer; left a voicemail about the new collection.": (
        "Tried to call, no answer. Left a message about the autumn collection.",
        "Voicemail left about the winter sale.",
    ),
    "Prefers email over phone calls.": (
        "Asked us to email rather than call.",
        "Happy to be contacted by text message.",
    ),
    "Asked about extended sizes in denim; pass on when available.": (
        "Wants to know when denim comes in extended sizes.",
        "Looking for petite trousers; none in stock yet.",
    ),
    "Mentioned corporate gifts for the team in Q4.": (
        "Interested in gifts for their team before the holidays.",
        "Planning 40 gift boxes for clients in December.",
    ),
    "Unhappy with how long the last return took.": (
        "Frustrated that the last refund took weeks; disappointed with returns.",
        "Complained the return portal kept failing; considering other shops.",
    ),
}


def pick(original: str, wordings: tuple[str, ...], position: int) -> str:
    """The wording of the row at ``position``: the original or one of the others,
    spread evenly and the same on every build."""
    options = (original, *wordings)
    return options[((position * 2654435761) >> 8) % len(options)]
