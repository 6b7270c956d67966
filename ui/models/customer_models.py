"""The customer view's panels as list models: talking points, cart, coupons, browsing, visits,
orders, wishlist — and :class:`CustomerModels`, the set of them with the product pickers of
the forms.

Each is reset with the rows of a new :class:`~clerk.model.CustomerView` (``set_view``); views
and delegates stay the same widgets for every customer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from clerk.model import (
    BrowsedProduct,
    CartLine,
    Coupon,
    CustomerView,
    Order,
    ServiceCase,
    TalkingPoint,
    VisitEntry,
    WishlistItem,
)
from ui import texts
from ui.i18n import fmt_ago, fmt_datetime, fmt_day, fmt_money, local
from ui.models.product_choices_model import ProductChoicesModel
from ui.models.rows_model import Roles, RowsModel
from ui.qt import translate


class PanelModel(RowsModel[Any]):
    """A panel model: remembers the view's time so relative dates are stable."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.now = 0
        self._context: object = None

    def set_view(self, view: CustomerView) -> None:
        raise NotImplementedError

    def _show(self, rows: Sequence[Any], now: int, context: object = None) -> None:
        """The rows of a new 360 read at ``now``, shown with ``context`` (what else their
        texts depend on). Rows, time and context equal to what is shown (the same member read
        again, nothing changed): no reset — the list keeps its rows, heights and selection."""
        rows = tuple(rows)
        if rows == self.rows and now == self.now and context == self._context:
            return
        self.now = now
        self._context = context
        self.set_rows(rows)


class TalkingPointsModel(PanelModel):
    Rule = Roles.First
    Score = Roles.First + 1
    Sentence = Roles.First + 2

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_sentence"),
        Roles.Subtitle: (b"subtitle", "_why"),
        Roles.Icon: (b"icon", "_icon"),
        Roles.Emphasis: (b"emphasis", "_emphasis"),
        Roles.Wrap: (b"wrap", "_wrap"),
        Roles.Key: (b"key", "_rule"),
        Rule: (b"rule", "_rule"),
        Score: (b"score", "_score"),
        Sentence: (b"sentence", "_sentence"),
    }

    def set_view(self, view: CustomerView) -> None:
        self._show(view.talking_points, view.as_of)

    def _sentence(self, p: TalkingPoint) -> str:
        return texts.talking_point(p, self.now)

    def _why(self, p: TalkingPoint) -> str:
        return texts.talking_point_why(p)

    def _icon(self, p: TalkingPoint) -> str:
        return texts.RULE_ICONS.get(p.rule, "bulb")

    def _emphasis(self, p: TalkingPoint) -> bool:
        return bool(self._rows) and p is self._rows[0]

    def _wrap(self, _p: TalkingPoint) -> bool:
        return True

    def _rule(self, p: TalkingPoint) -> str:
        return p.rule

    def _score(self, p: TalkingPoint) -> float:
        return p.score


class CartModel(PanelModel):
    Sku = Roles.First
    Price = Roles.First + 1
    Qty = Roles.First + 2
    AddedAt = Roles.First + 3
    CouponId = Roles.First + 4

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Detail: (b"detail", "_detail"),
        Roles.Trailing: (b"trailing", "_price"),
        Roles.TrailingSub: (b"trailingSub", "_qty"),
        Roles.Tile: (b"tile", "_tile"),
        Roles.Key: (b"key", "_id"),
        Sku: (b"sku", "_sku"),
        Price: (b"price", "_price"),
        Qty: (b"qty", "_qty_value"),
        AddedAt: (b"addedAt", "_added_at"),
        CouponId: (b"couponId", "_coupon_id"),
    }

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._coupons: Mapping[str, Coupon] = {}

    def set_view(self, view: CustomerView) -> None:
        self._coupons = {c.id: c for c in view.coupons}
        self._show(view.cart, view.as_of, view.coupons)  # a line shows its coupon

    def coupon_for(self, line: CartLine) -> Coupon | None:
        return self._coupons.get(line.coupon_id) if line.coupon_id else None

    def _title(self, line: CartLine) -> str:
        return local(line.product.title)

    def _subtitle(self, line: CartLine) -> str:
        added = texts.fill(translate("Panels", "Added %1"), fmt_ago(line.added_at, self.now))
        if not line.product.active:
            return added + " · " + translate("Panels", "no longer sold")
        return added

    def _detail(self, line: CartLine) -> str:
        coupon = self.coupon_for(line)
        if coupon is None:
            return ""
        return texts.fill(
            translate("Panels", "Coupon: %1 · %2"),
            texts.offer(coupon.rule, coupon.value),
            texts.coupon_validity(coupon, self.now),
        )

    def _price(self, line: CartLine) -> str:
        return fmt_money(line.price_cents)

    def _qty(self, line: CartLine) -> str:
        return texts.fill(translate("Panels", "Qty %1"), line.qty)

    def _qty_value(self, line: CartLine) -> int:
        return line.qty

    def _tile(self, line: CartLine) -> str:
        return line.product.image or ""

    def _id(self, line: CartLine) -> str:
        return line.id

    def _sku(self, line: CartLine) -> str:
        return line.product.sku

    def _added_at(self, line: CartLine) -> int:
        return line.added_at

    def _coupon_id(self, line: CartLine) -> str | None:
        return line.coupon_id


class CouponsModel(PanelModel):
    Status = Roles.First
    Redeemable = Roles.First + 1
    CouponIdRole = Roles.First + 2

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_rule"),
        Roles.Detail: (b"detail", "_validity"),
        Roles.DetailTone: (b"detailTone", "_validity_tone"),
        Roles.Trailing: (b"trailing", "_offer"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        Roles.Icon: (b"icon", "_icon"),
        Roles.Key: (b"key", "_id"),
        Status: (b"status", "_status"),
        Redeemable: (b"redeemable", "redeemable"),
        CouponIdRole: (b"couponId", "_id"),
    }

    def set_view(self, view: CustomerView) -> None:
        self._show(view.coupons, view.as_of)

    def redeemable(self, c: Coupon) -> bool:
        return c.status in ("usable", "expiring") and not c.pending_redeem

    def first_redeemable(self) -> int:
        return next((i for i, c in enumerate(self._rows) if self.redeemable(c)), -1)

    def _title(self, c: Coupon) -> str:
        return local(c.title)

    def _rule(self, c: Coupon) -> str:
        return texts.coupon_rule_text(c)

    def _validity(self, c: Coupon) -> str:
        return texts.coupon_validity(c, self.now)

    def _validity_tone(self, c: Coupon) -> str:
        return {"expiring": "accent", "usable": "good"}.get(c.status, "muted")

    def _offer(self, c: Coupon) -> str:
        return texts.offer(c.rule, c.value)

    def _chip(self, c: Coupon) -> str:
        if c.pending_redeem:
            return translate("Terms", "Pending sync")
        return texts.term(texts.COUPON_STATUS, c.status)

    def _tone(self, c: Coupon) -> str:
        return "warn" if c.pending_redeem else texts.COUPON_TONE.get(c.status, "muted")

    def _icon(self, _c: Coupon) -> str:
        return "redeem"

    def _id(self, c: Coupon) -> str:
        return c.id

    def _status(self, c: Coupon) -> str:
        return c.status


class BrowsingModel(PanelModel):
    Views = Roles.First
    LastSeen = Roles.First + 1
    Channels = Roles.First + 2
    Sku = Roles.First + 3

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Trailing: (b"trailing", "_views"),
        Roles.TrailingSub: (b"trailingSub", "_last_seen"),
        Roles.Tile: (b"tile", "_tile"),
        Roles.Key: (b"key", "_sku"),
        Views: (b"views", "_views_value"),
        LastSeen: (b"lastSeen", "_last_seen_value"),
        Channels: (b"channels", "_channels"),
        Sku: (b"sku", "_sku"),
    }

    def set_view(self, view: CustomerView) -> None:
        self._show(view.browsing, view.as_of)

    def _title(self, b: BrowsedProduct) -> str:
        return local(b.product.title)

    def _subtitle(self, b: BrowsedProduct) -> str:
        return texts.fill(
            translate("Panels", "%1 · %2"),
            fmt_money(b.product.price_cents),
            texts.channels(b.channels),
        )

    def _views(self, b: BrowsedProduct) -> str:
        return translate("Panels", "%n view(s)", None, b.views)

    def _last_seen(self, b: BrowsedProduct) -> str:
        return fmt_ago(b.last_seen, self.now)

    def _tile(self, b: BrowsedProduct) -> str:
        return b.product.image or ""

    def _sku(self, b: BrowsedProduct) -> str:
        return b.product.sku

    def _views_value(self, b: BrowsedProduct) -> int:
        return b.views

    def _last_seen_value(self, b: BrowsedProduct) -> int:
        return b.last_seen

    def _channels(self, b: BrowsedProduct) -> list[str]:
        return list(b.channels)


class VisitsModel(PanelModel):
    Kind = Roles.First
    At = Roles.First + 1
    SyncState = Roles.First + 2

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Detail: (b"detail", "_reason"),
        Roles.DetailTone: (b"detailTone", "_reason_tone"),
        Roles.Trailing: (b"trailing", "_when"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        Roles.Icon: (b"icon", "_icon"),
        Roles.Wrap: (b"wrap", "_wrap"),
        Roles.Key: (b"key", "_id"),
        Kind: (b"kind", "_kind"),
        At: (b"at", "_at"),
        SyncState: (b"syncState", "_state"),
    }

    def set_view(self, view: CustomerView) -> None:
        self._show(view.visits, view.as_of)

    def _title(self, v: VisitEntry) -> str:
        return texts.history_entry(v)

    def _subtitle(self, v: VisitEntry) -> str:
        parts = [p for p in (v.store_name, v.staff_name) if p]
        return " · ".join(parts)

    def _reason(self, v: VisitEntry) -> str:
        if v.sync_state in ("conflict", "rejected") and v.sync_reason:
            return texts.fill(translate("Panels", "Hub says: %1"), texts.hub_reason(v.sync_reason))
        return ""

    def _reason_tone(self, _v: VisitEntry) -> str:
        return "bad"

    def _when(self, v: VisitEntry) -> str:
        return fmt_datetime(v.at, self.now)

    def _chip(self, v: VisitEntry) -> str:
        # the hub did not take it: the row opens its form to fix it (or withdraw it)
        if v.sync_state == "rejected":
            return translate("Panels", "Rejected — fix")
        if v.sync_state == "attention":
            return translate("Panels", "Not sent — fix")
        return texts.term(texts.SYNC_STATES, v.sync_state) if v.sync_state else ""

    def _tone(self, v: VisitEntry) -> str:
        if v.sync_state == "attention":
            return "bad"
        return texts.SYNC_TONE.get(v.sync_state or "", "muted")

    def _icon(self, v: VisitEntry) -> str:
        return texts.KIND_ICONS.get(v.kind, "history")

    def _wrap(self, _v: VisitEntry) -> bool:
        return True

    def _id(self, v: VisitEntry) -> str:
        return v.id

    def _kind(self, v: VisitEntry) -> str:
        return v.kind

    def _at(self, v: VisitEntry) -> int:
        return v.at

    def _state(self, v: VisitEntry) -> str | None:
        return v.sync_state


class CasesModel(PanelModel):
    """The member's open service cases (shown above the talking points), newest first."""

    CaseId = Roles.First
    CaseType = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Trailing: (b"trailing", "_age"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        Roles.Icon: (b"icon", "_icon"),
        Roles.Emphasis: (b"emphasis", "_emphasis"),
        Roles.Wrap: (b"wrap", "_wrap"),
        Roles.Key: (b"key", "_id"),
        CaseId: (b"caseId", "_id"),
        CaseType: (b"caseType", "_type"),
    }

    def set_view(self, view: CustomerView) -> None:
        self._show(view.cases, view.as_of)

    def _title(self, c: ServiceCase) -> str:
        return texts.case_title(c)

    def _subtitle(self, c: ServiceCase) -> str:
        parts = [texts.fill(translate("Panels", "Opened %1"), fmt_day(c.opened_at, self.now))]
        if c.product is not None:
            parts.append(local(c.product.title))
        if c.store_name:
            parts.append(c.store_name)
        return " · ".join(parts)

    def _age(self, c: ServiceCase) -> str:
        return texts.days_open(c, self.now)

    def _chip(self, c: ServiceCase) -> str:
        if c.sync_state in ("pending", "sent"):
            return texts.term(texts.SYNC_STATES, c.sync_state)
        return ""

    def _tone(self, c: ServiceCase) -> str:
        return texts.SYNC_TONE.get(c.sync_state or "", "muted")

    def _icon(self, _c: ServiceCase) -> str:
        return "warning"

    def _emphasis(self, _c: ServiceCase) -> bool:
        return True

    def _wrap(self, _c: ServiceCase) -> bool:
        return True

    def _id(self, c: ServiceCase) -> str:
        return c.id

    def _type(self, c: ServiceCase) -> str:
        return c.case_type


class OrdersModel(PanelModel):
    """Orders of the last 12 months, online and in store, returns marked."""

    Channel = Roles.First
    State = Roles.First + 1
    At = Roles.First + 2

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Detail: (b"detail", "_detail"),
        Roles.DetailTone: (b"detailTone", "_detail_tone"),
        Roles.Trailing: (b"trailing", "_amount"),
        Roles.TrailingSub: (b"trailingSub", "_when"),
        Roles.Chip: (b"chip", "_chip"),
        Roles.ChipTone: (b"chipTone", "_tone"),
        Roles.Icon: (b"icon", "_icon"),
        Roles.Wrap: (b"wrap", "_wrap"),
        Roles.Key: (b"key", "_id"),
        Channel: (b"channel", "_channel"),
        State: (b"state", "_state"),
        At: (b"at", "_at"),
    }

    def set_view(self, view: CustomerView) -> None:
        self._show(view.orders, view.as_of)

    def _title(self, o: Order) -> str:
        return texts.order_items(o)

    def _subtitle(self, o: Order) -> str:
        channel = texts.term(texts.ORDER_CHANNELS, o.channel)
        return " · ".join(p for p in (channel, o.store_name) if p)

    def _detail(self, o: Order) -> str:
        if o.returned and o.refunded_at is not None:
            return texts.fill(translate("Panels", "Returned %1"), fmt_day(o.refunded_at, self.now))
        return ""

    def _detail_tone(self, _o: Order) -> str:
        return "muted"

    def _amount(self, o: Order) -> str:
        return fmt_money(o.total_cents)

    def _when(self, o: Order) -> str:
        return fmt_day(o.at, self.now)

    def _chip(self, o: Order) -> str:
        if o.sync_state in ("pending", "sent"):
            return texts.term(texts.SYNC_STATES, o.sync_state)
        return texts.term(texts.ORDER_STATES, "refunded") if o.returned else ""

    def _tone(self, o: Order) -> str:
        if o.sync_state in ("pending", "sent"):
            return texts.SYNC_TONE.get(o.sync_state, "muted")
        return "warn" if o.returned else "muted"

    def _icon(self, o: Order) -> str:
        return "store" if o.channel == "store" else "cart"

    def _wrap(self, _o: Order) -> bool:
        return True

    def _id(self, o: Order) -> str:
        return o.id

    def _channel(self, o: Order) -> str:
        return o.channel

    def _state(self, o: Order) -> str:
        return o.state

    def _at(self, o: Order) -> int:
        return o.at


class WishlistModel(PanelModel):
    """What the member keeps for later online, newest first."""

    Sku = Roles.First
    AddedAt = Roles.First + 1

    ROLES: ClassVar[dict[int, tuple[bytes, str]]] = {
        Roles.Title: (b"title", "_title"),
        Roles.Subtitle: (b"subtitle", "_subtitle"),
        Roles.Trailing: (b"trailing", "_price"),
        Roles.Tile: (b"tile", "_tile"),
        Roles.Key: (b"key", "_id"),
        Sku: (b"sku", "_sku"),
        AddedAt: (b"addedAt", "_added_at"),
    }

    def set_view(self, view: CustomerView) -> None:
        self._show(view.wishlist, view.as_of)

    def _title(self, w: WishlistItem) -> str:
        return local(w.product.title)

    def _subtitle(self, w: WishlistItem) -> str:
        added = texts.fill(translate("Panels", "Added %1"), fmt_ago(w.added_at, self.now))
        if not w.product.active:
            return added + " · " + translate("Panels", "no longer sold")
        return added

    def _price(self, w: WishlistItem) -> str:
        return fmt_money(w.product.price_cents) if w.product.price_cents else ""

    def _tile(self, w: WishlistItem) -> str:
        return w.product.image or ""

    def _id(self, w: WishlistItem) -> str:
        return w.id

    def _sku(self, w: WishlistItem) -> str:
        return w.product.sku

    def _added_at(self, w: WishlistItem) -> int:
        return w.added_at


class CustomerModels:
    """The item models of the customer screen (reset per customer)."""

    def __init__(self) -> None:
        self.talking = TalkingPointsModel()
        self.cart = CartModel()
        self.coupons = CouponsModel()
        self.browsing = BrowsingModel()
        self.visits = VisitsModel()
        self.cases = CasesModel()
        self.orders = OrdersModel()
        self.wishlist = WishlistModel()
        self.interest_products = ProductChoicesModel()
        self.sale_products = ProductChoicesModel()

    def panels(self) -> tuple[PanelModel, ...]:
        """The models of the page's panels (what a new 360 resets)."""
        return (
            self.talking,
            self.cart,
            self.coupons,
            self.browsing,
            self.visits,
            self.cases,
            self.orders,
            self.wishlist,
        )

    def all(self) -> tuple[RowsModel[Any], ...]:
        return (*self.panels(), self.interest_products, self.sale_products)
