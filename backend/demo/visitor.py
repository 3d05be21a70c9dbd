"""One visit to the demo storefront: landing page, product views, cart, checkout, order,
forms and the e-mails that bring people back, as Segment messages in time order."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from backend.demo import catalog
from backend.demo.purchasing import DEFAULTS as BUYING

_SOURCES_CUM = list(accumulate(s[3] for s in catalog.SOURCES))
_PROMO_SOURCES = catalog.SOURCES + catalog.BLACK_FRIDAY_SOURCES
_PROMO_CUM = list(accumulate(s[3] for s in _PROMO_SOURCES))
_FORMS_CUM = list(accumulate(f[2] for f in catalog.FORMS))
# Cheap things are looked at more often.
_PRODUCT_CUM = list(accumulate(1 / (p[3] ** 0.5) for p in catalog.PRODUCTS))
SHOP = "https://shop.example.com"


@dataclass(slots=True)
class Visitor:
    anonymous_id: str
    country: str
    zone: ZoneInfo
    ip: str
    user_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    # Once they have ordered (plan_return): orders a day while alive, the chance of lapsing
    # for good after each repeat order, and when they come back to order next (None: lapsed).
    rate: float = 0.0
    lapse: float = 0.0
    returns_at: datetime | None = None


def plan_return(rng: random.Random, v: Visitor, ordered_at: datetime) -> datetime | None:
    """After an order, when the customer comes back to order again, as the seeded history's
    customers do (backend/demo/purchasing.py, the BG/NBD story): at their first order they draw
    a rate ~ Gamma(r, 1/alpha) a day and a lapse chance ~ Beta(a, b); after each repeat order
    they lapse for good with that chance, else return after Exp(rate) days."""
    if not v.rate:
        v.rate = max(rng.gammavariate(BUYING["r"], 1 / BUYING["alpha"]), 1e-6)
        v.lapse = rng.betavariate(BUYING["a"], BUYING["b"])
    elif rng.random() < v.lapse:
        v.returns_at = None
        return None
    wait = rng.expovariate(v.rate)  # days; a tiny rate gives centuries (past datetime.max)
    v.returns_at = ordered_at + timedelta(days=wait) if wait < 3650 else None
    return v.returns_at


def _iso(ts: datetime) -> str:
    return ts.isoformat(timespec="milliseconds") + "Z"


class Visit:
    """Builds one visit's messages; `known` collects visitors who identify."""

    def __init__(
        self,
        rng: random.Random,
        visitor: Visitor,
        start: datetime,
        promo: bool,
        known: list[Visitor],
        returning: bool = False,
    ):
        self.rng = rng
        self.v = visitor
        self.t = start
        self.promo = promo
        self.known = known
        self.out: list[dict] = []
        self.ctx = {"ip": visitor.ip}
        self.utm: dict[str, str] = {}
        self.returning = returning  # a customer back to order again (plan_return)
        self.placed_at: datetime | None = None  # when this visit's order was placed

    # -- message builders

    def _msg(self, kind: str, props: dict) -> dict:
        m = {
            "type": kind,
            "anonymousId": self.v.anonymous_id,
            "properties": props,
            "context": self.ctx,
            "timestamp": _iso(self.t),
        }
        if self.v.user_id:
            m["userId"] = self.v.user_id
        return m

    def track(self, event: str, props: dict) -> None:
        m = self._msg("track", props)
        m["event"] = event
        self.out.append(m)

    def page(self, path: str, title: str) -> None:
        props = {"path": path, "url": SHOP + path, "title": title, **self.utm}
        m = self._msg("page", props)
        m["name"] = title
        self.out.append(m)

    def identify(self) -> None:
        v, rng = self.v, self.rng
        if v.user_id is None:
            v.first_name = catalog.FIRST_NAMES[rng.randrange(len(catalog.FIRST_NAMES))]
            v.last_name = catalog.LAST_NAMES[rng.randrange(len(catalog.LAST_NAMES))]
            domain = catalog.EMAIL_DOMAINS[rng.randrange(len(catalog.EMAIL_DOMAINS))]
            v.user_id = f"cus_{rng.getrandbits(48):012x}"
            v.email = f"{v.first_name}.{v.last_name}.{v.user_id[-5:]}@{domain}".lower()
            self.known.append(v)
        m = {
            "type": "identify",
            "userId": v.user_id,
            "anonymousId": v.anonymous_id,
            "traits": {"email": v.email, "first_name": v.first_name, "last_name": v.last_name},
            "context": self.ctx,
            "timestamp": _iso(self.t),
        }
        self.out.append(m)

    def wait(self, low: int, high: int) -> None:
        self.t += timedelta(
            seconds=self.rng.randint(low, high), milliseconds=self.rng.randrange(1000)
        )

    # -- the visit

    def messages(self) -> list[dict]:
        rng, v = self.rng, self.v
        if self.returning:
            return self._return_visit()
        if v.email and rng.random() < 0.25 and self._email_visit():
            return self.out  # opened the e-mail and did not come to the shop
        if not self.utm:
            src = rng.choices(
                _PROMO_SOURCES if self.promo else catalog.SOURCES,
                cum_weights=_PROMO_CUM if self.promo else _SOURCES_CUM,
            )[0]
            if src[0]:
                self.utm = {"utm_source": src[0], "utm_medium": src[1]}
                if src[2]:
                    self.utm["utm_campaign"] = src[2]
        path, title = catalog.PAGES[rng.randrange(len(catalog.PAGES))]
        if self.promo and rng.random() < 0.5:
            path, title = "/collections/black-friday", "Black Friday Sale"
        self.page(path, title)
        cart = self._browse()
        if v.user_id is None and rng.random() < (0.08 if self.promo else 0.045):
            self._form()
        # A customer's repeat orders come from their own process (plan_return), not from
        # browsing visits: those would keep a lapsed customer buying.
        if cart and rng.random() < 0.5 and not v.rate:
            self._checkout(cart)
        return self.out

    def _return_visit(self) -> list[dict]:
        """A customer who came back to buy: in (often from a campaign e-mail), a look around,
        an order."""
        if self.rng.random() < 0.3:
            self.utm = {"utm_source": "email", "utm_medium": "email"}
        path, title = catalog.PAGES[self.rng.randrange(len(catalog.PAGES))]
        self.page(path, title)
        cart = self._browse()
        if not cart:  # knew what they wanted
            product = self.rng.choices(catalog.PRODUCTS, cum_weights=_PRODUCT_CUM)[0]
            self.wait(8, 60)
            self.track(
                "Added to Cart",
                {"product_id": product[0], "name": product[1], "price": product[3], "quantity": 1},
            )
            cart = [(product, 1)]
        self._checkout(cart, certain=True)
        return self.out

    def _email_visit(self) -> bool:
        """Opened (and maybe clicked) a campaign e-mail; True if the visit ends there."""
        rng = self.rng
        campaign = (
            catalog.BLACK_FRIDAY_EMAIL
            if self.promo and rng.random() < 0.6
            else catalog.EMAIL_CAMPAIGNS[rng.randrange(len(catalog.EMAIL_CAMPAIGNS))]
        )
        props = {"campaign_name": campaign, "utm_source": "email", "utm_campaign": campaign}
        self.t -= timedelta(minutes=rng.randint(2, 180))
        self.track("Opened Email", dict(props))
        if rng.random() < 0.82:  # click-to-open about 18% (campaigns see 10-25%)
            return True
        self.wait(5, 120)
        self.track("Clicked Email", dict(props))
        self.wait(2, 10)
        self.utm = {"utm_source": "email", "utm_medium": "email", "utm_campaign": campaign}
        return False

    def _browse(self) -> list[tuple[tuple[str, str, str, float], int]]:
        rng = self.rng
        if rng.random() < 0.22:
            return []  # bounced
        cart = []
        stay = 0.68 if self.promo else 0.6
        add = 0.2 if self.promo else 0.11
        for _ in range(8):
            self.wait(8, 90)
            product = rng.choices(catalog.PRODUCTS, cum_weights=_PRODUCT_CUM)[0]
            sku, name, category, price = product
            self.page(f"/products/{sku.lower()}", name)
            self.track(
                "Viewed Product",
                {"product_id": sku, "name": name, "category": category, "price": price, **self.utm},
            )
            if rng.random() < add:
                qty = 2 if rng.random() < 0.12 else 1
                self.wait(5, 40)
                self.track(
                    "Added to Cart",
                    {"product_id": sku, "name": name, "price": price, "quantity": qty, **self.utm},
                )
                cart.append((product, qty))
            if rng.random() > stay:
                break
        return cart

    def _form(self) -> None:
        form_id, form_name, _ = self.rng.choices(catalog.FORMS, cum_weights=_FORMS_CUM)[0]
        self.wait(5, 60)
        self.track("Submitted Form", {"$form": form_id, "form_name": form_name, **self.utm})
        self.identify()

    def _checkout(self, cart, certain: bool = False) -> None:
        rng = self.rng
        subtotal = round(sum(p[3] * q for p, q in cart), 2)
        self.wait(10, 60)
        checkout_id = f"chk_{rng.getrandbits(40):010x}"
        self.track(
            "Started Checkout",
            {"checkout_id": checkout_id, "items": len(cart), "cart_total": subtotal, **self.utm},
        )
        if self.v.user_id is None:
            self.wait(20, 90)
            self.identify()  # the checkout asks for an e-mail address
        if not certain and rng.random() > (0.72 if self.promo else 0.62):
            return  # abandoned
        discount = round(subtotal * 0.3, 2) if self.promo else 0.0
        shipping = 0.0 if subtotal >= 75 else 6.95
        self.wait(30, 240)
        props = {
            "order_id": f"ord_{rng.getrandbits(40):010x}",
            "checkout_id": checkout_id,
            "revenue": round(subtotal - discount + shipping, 2),
            "subtotal": subtotal,
            "discount": discount,
            "shipping": shipping,
            "currency": "USD",
            "products": [
                {"product_id": p[0], "name": p[1], "price": p[3], "quantity": q} for p, q in cart
            ],
            **self.utm,
        }
        if discount:
            props["coupon"] = "BLACKFRIDAY30"
        self.track("Placed Order", props)
        self.placed_at = self.t
