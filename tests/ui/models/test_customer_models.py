"""The panels' item models, without widgets: Qt's model tester, named roles, resets."""

from __future__ import annotations

from typing import Any

import pytest

from ui.models.customer_models import (
    BrowsingModel,
    CartModel,
    CouponsModel,
    TalkingPointsModel,
    VisitsModel,
)
from ui.models.product_choices_model import Choice, ProductChoicesModel
from ui.models.recent_customers_model import RecentCustomersModel
from ui.models.rows_model import Roles
from ui.qt import QAbstractItemModelTester, Qt

HERO = "M00000001"
NOW = 1_763_900_000
MODELS = [TalkingPointsModel, CartModel, CouponsModel, BrowsingModel, VisitsModel]


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
    choices.set_choices([Choice("A", "a", 100, ""), Choice("B", "b", 250, "", qty=2)], {"A"})
    assert [c.sku for c in choices.checked()] == ["A"]
    choices.toggle(1)
    choices.toggle(0)
    assert [c.sku for c in choices.checked()] == ["B"]
    assert choices.index(1, 0).data(choices.PriceCents) == 500
