"""The panels' item models, without widgets: Qt's model tester, named roles, resets."""

from __future__ import annotations

import dataclasses
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clerk.model import Localised, Order, OrderLine, Product, VisitEntry, WishlistItem
from clerk.shared.interactions import Consent, Interest, Note, Redeem, Sale, Visit
from ui.models.customer_models import (
    BrowsingModel,
    CartModel,
    CouponsModel,
    OrdersModel,
    TalkingPointsModel,
    VisitsModel,
    WishlistModel,
)
from ui.models.product_choices_model import Choice, ProductChoicesModel
from ui.models.recent_customers_model import RecentCustomersModel
from ui.models.rows_model import Roles
from ui.qt import QAbstractItemModelTester, Qt

HERO = "M00000001"
NOW = 1_763_900_000
MODELS = [TalkingPointsModel, CartModel, CouponsModel, BrowsingModel, VisitsModel]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def hero_view(terminal: Any, translations: Any) -> Any:
    view = terminal.view(HERO)
    assert view is not None
    return view


@pytest.mark.parametrize("model_class", MODELS)
def test_models_pass_the_qt_model_tester(qtbot: Any, hero_view: Any, model_class: Any) -> None:
    model = model_class()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_view(hero_view)
    assert model.rowCount() > 0
    model.set_view(hero_view)  # a second customer: one reset, same model
    model.clear()
    assert model.rowCount() == 0
    model.set_view(hero_view)
    model.retranslate()
    del tester


@pytest.mark.parametrize("model_class", MODELS)
def test_every_role_has_a_name_and_answers(hero_view: Any, model_class: Any) -> None:
    model = model_class()
    model.set_view(hero_view)
    names = {bytes(v.data()).decode() for v in model.roleNames().values()}
    assert {"title", "item", "key"} <= names
    index = model.index(0, 0)
    for role in model.ROLES:
        model.data(index, role)  # every declared role answers without error
    assert model.data(index, Qt.ItemDataRole.DisplayRole) == model.data(index, Roles.Title)
    assert model.data(index, Qt.ItemDataRole.AccessibleTextRole)
    assert model.data(model.index(99, 0), Roles.Title) is None


STRAP = Product("AC00001", "表带 S3", "Strap S3", "accessories", 19_900, "#333333:strap", True)


def with_orders(view: Any) -> Any:
    now = view.as_of
    orders = (
        Order(
            "S1",
            "store",
            now - 3_600,
            39_800,
            "completed",
            (OrderLine(STRAP, 2, 19_900),),
            store_name="上海静安店",
            sync_state="pending",
        ),
        Order(
            "O1",
            "online",
            now - 20 * 86_400,
            19_900,
            "refunded",
            (OrderLine(STRAP, 1, 19_900),),
            refunded_at=now - 15 * 86_400,
        ),
    )
    wishlist = (WishlistItem("W1", STRAP, now - 2 * 86_400),)
    return dataclasses.replace(view, orders=orders, wishlist=wishlist)


@pytest.mark.parametrize("model_class", [OrdersModel, WishlistModel])
def test_order_models_pass_the_qt_model_tester(
    qtbot: Any, hero_view: Any, model_class: Any
) -> None:
    model = model_class()
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    view = with_orders(hero_view)
    model.set_view(view)
    assert model.rowCount() > 0
    index = model.index(0, 0)
    for role in model.ROLES:
        model.data(index, role)
    model.clear()
    assert model.rowCount() == 0
    model.set_view(view)
    model.retranslate()
    del tester


def test_orders_say_channel_amount_and_returns(hero_view: Any) -> None:
    orders = OrdersModel()
    orders.set_view(with_orders(hero_view))
    sale, online = orders.index(0, 0), orders.index(1, 0)
    assert sale.data(Roles.Title) == "Strap S3 × 2"
    assert sale.data(Roles.Subtitle) == "In-store purchase · 上海静安店"
    assert sale.data(Roles.Trailing) == "¥398.00"
    assert sale.data(Roles.Chip) == "Saved · pending sync"
    assert sale.data(orders.Channel) == "store"
    assert online.data(Roles.Title) == "Strap S3"
    assert online.data(Roles.Subtitle) == "Online order"
    assert online.data(Roles.Chip) == "Returned"
    assert online.data(Roles.Detail).startswith("Returned ")
    wishlist = WishlistModel()
    wishlist.set_view(with_orders(hero_view))
    assert wishlist.index(0, 0).data(Roles.Title) == "Strap S3"
    assert wishlist.index(0, 0).data(Roles.Subtitle) == "Added 2 days ago"


def test_cart_roles_for_the_hero(hero_view: Any) -> None:
    cart = CartModel()
    cart.set_view(hero_view)
    i = cart.index(0, 0)
    assert i.data(cart.Sku) == "SW00001"
    assert i.data(Roles.Title) == "Smartwatch S3"
    assert i.data(Roles.Trailing) == "¥1,999.00"
    assert i.data(Roles.Subtitle) == "Added 3 days ago"
    assert i.data(Roles.Detail).startswith("Coupon: ¥200 off · Expires ")
    assert i.data(Roles.Tile) == "#2b6cb0:smartwatch"


def test_coupons_redeemable_and_status(hero_view: Any) -> None:
    coupons = CouponsModel()
    coupons.set_view(hero_view)
    statuses = [coupons.index(r, 0).data(coupons.Status) for r in range(coupons.rowCount())]
    assert "expiring" in statuses
    first = coupons.first_redeemable()
    assert first >= 0
    assert coupons.index(first, 0).data(coupons.Redeemable) is True


def test_reset_not_rebuild(qtbot: Any, hero_view: Any) -> None:
    model = TalkingPointsModel()
    with qtbot.waitSignals([model.modelAboutToBeReset, model.modelReset], timeout=1000):
        model.set_view(hero_view)


def test_recent_and_choices_models(qtbot: Any, translations: Any) -> None:
    recent = RecentCustomersModel()
    QAbstractItemModelTester(recent, QAbstractItemModelTester.FailureReportingMode.Fatal)
    recent.set_recent([(HERO, "林晓雯", NOW - 60)], NOW)
    assert recent.index(0, 0).data(recent.MemberId) == HERO
    choices = ProductChoicesModel()
    QAbstractItemModelTester(choices, QAbstractItemModelTester.FailureReportingMode.Fatal)
    choices.set_choices(
        [Choice("A", "a", 100, ""), Choice("B", "b", 250, "", qty=2, source="cart")]
    )
    # Picked, never ticked: no row is checkable (no stray checkboxes in a picker).
    for row in range(2):
        index = choices.index(row, 0)
        assert not choices.flags(index) & Qt.ItemFlag.ItemIsUserCheckable
        assert index.data(Qt.ItemDataRole.CheckStateRole) is None
    assert choices.row_of("B") == 1 and choices.row_of("C") == -1
    assert choices.index(1, 0).data(choices.PriceCents) == 250  # the unit price
    assert choices.index(1, 0).data(Roles.Subtitle) == "B · In the online cart"


def _history_view(hero_view: Any) -> Any:
    """The hero's view with a history of every kind, as the hub and this terminal give it."""
    watch = Localised("智能手表 S3", "Smartwatch S3")
    coupon = Localised("智能手表 S3 满1000减200", "¥200 off Smartwatch S3 over ¥1,000")
    sale = Sale.of([("SW00193", 1, 119_900)], 119_900)
    entries = (
        VisitEntry(
            "v1",
            "interest",
            NOW - 10,
            "店",
            "王芳",
            Interest.of("SW00193", "tried_on"),
            {"SW00193": watch},
        ),
        VisitEntry("v2", "sale", NOW - 20, "店", "王芳", sale, {"SW00193": watch}),
        VisitEntry(
            "v3",
            "redeem",
            NOW - 30,
            None,
            None,
            Redeem.of("Q1"),
            coupon=coupon,
            sync_state="rejected",
            sync_reason="bad_payload",
        ),
        VisitEntry("v4", "consent", NOW - 40, None, None, Consent.of(marketing=False)),
        VisitEntry("v5", "note", NOW - 50, None, None, Note.of("想看蓝色表带")),
        VisitEntry("v6", "visit", NOW - 60, None, None, Visit(via="phone", jti="abc")),
        # a row the terminal cannot read (an older hub's prose, facts of another version)
        VisitEntry("v7", "interest", NOW - 70, None, None, None),
        VisitEntry(
            "v8",
            "redeem",
            NOW - 80,
            None,
            None,
            Redeem.of("Q9"),
            sync_state="conflict",
            sync_reason="a_reason_from_a_newer_hub",
        ),
    )
    return dataclasses.replace(hero_view, visits=entries)


def test_history_is_rendered_in_the_ui_language_from_its_facts(
    hero_view: Any, translations: Any
) -> None:
    model = VisitsModel()
    model.set_view(_history_view(hero_view))

    def column(role: int) -> list[str]:
        return [model.index(i, 0).data(role) for i in range(model.rowCount())]

    translations.set_language("en")
    assert column(Roles.Title) == [
        "Product interest: Smartwatch S3 · Tried on",
        "Assisted sale: 1 item, ¥1,199.00 (Smartwatch S3)",
        "Coupon redeemed: ¥200 off Smartwatch S3 over ¥1,000",
        "Consent updated: marketing: no",
        "Note: 想看蓝色表带",  # what the associate typed, as typed
        "Store visit",
        "Product interest",
        "Coupon redeemed",
    ]
    reasons = column(Roles.Detail)
    assert reasons[2] == "Hub says: the record is incomplete or has a value out of bounds"
    assert reasons[7] == "Hub says: the hub refused it"  # a code new to us: never the code
    english = " ".join(column(Roles.Title) + reasons).replace("想看蓝色表带", "")
    assert not CJK.search(english)
    assert not re.search(r"SW00193|Q1|bad_payload|phone|abc|_", english)

    translations.set_language("zh_CN")
    titles = column(Roles.Title)
    assert titles[0] == "商品兴趣：智能手表 S3 · 试穿/试用"
    assert titles[1] == "导购成交：1 件，¥1,199.00（智能手表 S3）"
    assert titles[2] == "优惠券核销：智能手表 S3 满1000减200"
    assert titles[3] == "授权变更：营销消息：不同意"
    assert column(Roles.Detail)[2] == "总部反馈：记录不完整或有数值超出范围"
    chinese = " ".join(titles + column(Roles.Detail))
    assert not re.search(r"SW00193|Q1|bad_payload|[A-Za-z]{3,}", chinese.replace("S3", ""))


def test_rejected_items_say_who_in_words(translations: Any) -> None:
    """The manager's rejected items showed ``phone_hash:0a4b…`` and raw codes (issue 19):
    the member's name, a masked card, "a phone number" or "walk-in", and the reason in words."""
    from clerk.reports.model import RejectedItem
    from ui.models.dashboard_models import RejectedModel

    model = RejectedModel()
    rows = [
        RejectedItem("1", "note", "M00000001", None, NOW, "bad_payload", "林晓雯"),
        RejectedItem("2", "visit", None, "card:6200000000000018", NOW, "unknown_member"),
        RejectedItem("3", "visit", None, "phone_hash:0a4b" + "0" * 60, NOW, "unknown_member"),
        RejectedItem("4", "visit", None, "phone_sealed:v1.abc", NOW, "unknown_member"),
        RejectedItem("5", "visit", None, None, NOW, "unknown_member"),
    ]
    model.set_rows(rows, ZoneInfo("Asia/Shanghai"))
    column = [c.key for c in model.COLUMNS].index("member")
    reason = [c.key for c in model.COLUMNS].index("reason")
    shown = [model.index(r, column).data() for r in range(len(rows))]
    assert shown == [
        "林晓雯",
        "Card ****0018",
        "A phone number (not on this terminal)",
        "A phone number (not on this terminal)",
        "Walk-in",
    ]
    reasons = [model.index(r, reason).data() for r in range(len(rows))]
    assert all(":" not in r and "_" not in r for r in reasons), reasons


def test_order_points_and_open_cases_in_both_languages(translations: Any) -> None:
    from clerk.model import ServiceCase, TalkingPoint
    from ui import texts

    fit = TalkingPoint(
        "order_followup",
        50.0,
        {"title_zh": "S3 表带", "title_en": "S3 strap", "days_ago": 30, "ask": "fit"},
    )
    back = TalkingPoint(
        "order_returned",
        60.0,
        {"title_zh": "跑步鞋", "title_en": "Running Shoes", "days_ago": 3, "channel": "store"},
    )
    case = ServiceCase("R-1024", "repair", "screen replacement", NOW - 3 * 86_400, NOW)
    translations.set_language("en")
    assert texts.talking_point(fit, NOW) == "Bought S3 strap last month — ask how it fits"
    assert (
        texts.talking_point(back, NOW) == "Returned Running Shoes 3 days ago — ask what went wrong"
    )
    assert texts.talking_point_why(back) == "In-store purchase"
    assert texts.case_title(case) == "Open repair #R-1024: screen replacement"
    assert texts.days_open(case, NOW) == "3 days"
    translations.set_language("zh_CN")
    assert texts.talking_point(fit, NOW) == "上个月买了S3 表带 — 问问是否合适"
    assert texts.talking_point(back, NOW) == "3 天前退货了跑步鞋 — 问问哪里不满意"
    assert texts.case_title(case) == "未结维修 #R-1024：screen replacement"
    assert texts.days_open(case, NOW) == "3 天"
    translations.set_language("en")
