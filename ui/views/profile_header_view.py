"""The customer's header: avatar, name, tier, points, masked phone, consent badges (with the
wording and version consented to, when the hub sent them), tags and preferences, freshness."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clerk.model import ConsentText, CustomerView, Identity
from ui import texts
from ui.i18n import fmt_date, fmt_number, fmt_time
from ui.qt import QFrame, QHBoxLayout, QLabel, Qt, QVBoxLayout, QWidget, Signal, translate
from ui.views.tiles import avatar
from ui.views.widgets import Chip, label

if TYPE_CHECKING:
    from ui.models.sync_state_model import SyncState


class ProfileHeader(QFrame):
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileHeader")
        self.view: CustomerView | None = None
        self.sync_state: SyncState | None = None
        self.identity: Identity | None = None
        self._reason: str | None = None
        self.compact = False

        row = QHBoxLayout(self)
        self.row = row
        row.setContentsMargins(20, 16, 20, 16)
        row.setSpacing(16)
        self.avatar = QLabel()
        self.avatar.setFixedSize(64, 64)
        row.addWidget(self.avatar, 0, Qt.AlignmentFlag.AlignTop)

        mid = QVBoxLayout()
        mid.setSpacing(4)
        name_row = QHBoxLayout()
        name_row.setSpacing(10)
        self.name = label("", "name", wrap=True)  # "Member not in this store's cache" on a phone
        self.name.setObjectName("customerName")
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        name_row.addWidget(self.name)
        self.name_en = label("", "nameEn")
        name_row.addWidget(self.name_en, 0, Qt.AlignmentFlag.AlignBottom)
        name_row.addStretch(1)
        mid.addLayout(name_row)

        # Chips: one row on a desktop; on a handheld the consent badges take a second row.
        self.chip_rows = (QHBoxLayout(), QHBoxLayout())
        for chip_row in self.chip_rows:
            chip_row.setSpacing(6)
            chip_row.addStretch(1)
            mid.addLayout(chip_row)
        self.tier = Chip("", "gold")
        self.tier.setObjectName("tierChip")
        self.marketing = Chip("", "good")
        self.marketing.setObjectName("consentMarketing")
        self.browsing = Chip("", "good")
        self.browsing.setObjectName("consentBrowsing")
        self.points_chip = Chip("", "primary")
        self.points_chip.setObjectName("pointsChip")
        self._place_chips()

        self.meta = label("", "muted", wrap=True)
        self.meta.setObjectName("customerMeta")
        mid.addWidget(self.meta)
        self.tags = label("", wrap=True)
        self.tags.setObjectName("customerTags")
        mid.addWidget(self.tags)
        self.freshness = label("", wrap=True)
        self.freshness.setObjectName("freshness")
        mid.addWidget(self.freshness)
        row.addLayout(mid, 1)

        stats = QVBoxLayout()
        stats.setSpacing(0)
        self.points = label("", "stat")
        self.points.setObjectName("points")
        self.points.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.points_label = label("", "statLabel")
        self.points_label.setAlignment(Qt.AlignmentFlag.AlignRight)
        stats.addWidget(self.points)
        stats.addWidget(self.points_label)
        stats.addStretch(1)
        self.stats = stats
        self.stats_box = QWidget()
        self.stats_box.setLayout(stats)
        stats.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.stats_box)

    # --- data ------------------------------------------------------------------------------

    def show_view(self, view: CustomerView) -> None:
        self.view, self.identity = view, None
        self.refresh()

    def show_identity(self, identity: Identity, reason: str | None) -> None:
        self.view, self.identity = None, identity
        self._reason = reason
        self.refresh()

    def clear(self) -> None:
        """Show nobody (after a lock): no name, no identity, no figures."""
        self.view, self.identity, self._reason = None, None, None
        self.avatar.clear()
        for text_label in (
            self.name,
            self.name_en,
            self.meta,
            self.tags,
            self.freshness,
            self.points,
            self.points_label,
        ):
            text_label.setText("")
        for chip in (self.tier, self.points_chip, self.marketing, self.browsing):
            chip.setText("")
            chip.hide()
        self.setAccessibleName("")

    def set_compact(self, compact: bool) -> None:
        self.compact = compact
        size = 48 if compact else 64
        self.avatar.setFixedSize(size, size)
        margin = 14 if compact else 20
        self.row.setContentsMargins(margin, 12 if compact else 16, margin, 12 if compact else 16)
        self.stats_box.setVisible(not compact)
        self._place_chips()
        self.refresh()

    def _place_chips(self) -> None:
        rows = (
            ((self.tier, self.points_chip), (self.marketing, self.browsing))
            if self.compact
            else ((self.tier, self.points_chip, self.marketing, self.browsing), ())
        )
        for layout in self.chip_rows:
            for chip in (self.tier, self.points_chip, self.marketing, self.browsing):
                layout.removeWidget(chip)
        for layout, chips in zip(self.chip_rows, rows, strict=True):
            for i, chip in enumerate(chips):
                layout.insertWidget(i, chip)

    def refresh(self) -> None:
        size = self.avatar.width()
        dpr = self.devicePixelRatioF()
        v = self.view
        if v is None and self.identity is None:
            return  # nobody shown (before the first customer, after a lock)
        if v is None:
            self.avatar.setPixmap(avatar("?", size, dpr))
            ident = self.identity
            self.name.setText(translate("Customer", "Member not in this store's cache"))
            self.name_en.setText("")
            self.meta.setText(texts.identity_label(ident) if ident is not None else "")
            self.tags.setText("")
            self.tags.hide()
            for chip in (self.tier, self.points_chip, self.marketing, self.browsing):
                chip.hide()
            self.points.setText("")
            self.points_label.setText("")
            self._refresh_freshness()
            return
        p = v.profile
        self.avatar.setPixmap(avatar(p.name, size, dpr))
        self.name.setText(p.name)
        self.name_en.setText(p.name_en if p.name_en and p.name_en != p.name else "")
        self.name_en.setVisible(bool(p.name_en) and not self.compact)
        if p.member_id.startswith("P-"):  # signed up here, the hub has not answered yet
            self.tier.setText(translate("Customer", "New member, pending sync"))
            self.tier.set_tone("muted")
        else:
            self.tier.setText(texts.tier(p.tier))
            self.tier.set_tone(p.tier if p.tier in texts.TIERS else "muted")
        self.tier.show()
        wording = {t.purpose: t for t in v.consent_texts}
        self._consent(
            self.marketing,
            p.consent_marketing,
            translate("Customer", "Marketing ✓"),
            translate("Customer", "No marketing"),
            wording.get("marketing"),
        )
        self._consent(
            self.browsing,
            p.consent_browsing,
            translate("Customer", "Browsing ✓"),
            translate("Customer", "No browsing data"),
            wording.get("browsing"),
        )
        meta = []
        if p.phone_masked:
            meta.append(p.phone_masked)
        if p.card_no:
            meta.append(texts.fill(translate("Customer", "Card ****%1"), p.card_no[-4:]))
        if p.joined_at and not self.compact:
            meta.append(texts.fill(translate("Customer", "Member since %1"), fmt_date(p.joined_at)))
        self.meta.setText("  ·  ".join(meta))
        self.tags.setText(texts.profile_tags(p.tags))
        self.tags.setVisible(bool(p.tags))
        self.points.setText(fmt_number(p.points))
        self.points_label.setText(texts.points_note(v.points))
        self.points_chip.setText(
            texts.fill(translate("Customer", "%1 points"), fmt_number(p.points))
        )
        self.points_chip.setVisible(self.compact)
        self._refresh_freshness()
        self.setAccessibleName(
            texts.fill(
                translate("Customer", "Customer %1, %2, %3 points"),
                p.name,
                texts.tier(p.tier),
                fmt_number(p.points),
            )
        )

    def _consent(
        self, chip: Chip, granted: bool, yes: str, no: str, wording: ConsentText | None
    ) -> None:
        """A consent badge; with the version of its wording in force (on a desktop), and the
        wording itself as its tooltip and accessible description."""
        text = yes if granted else no
        if wording is not None and not self.compact:
            text = texts.fill(translate("Customer", "%1 · v%2"), text, wording.version)
        chip.setText(text)
        chip.set_tone("good" if granted else "muted")
        about = texts.consent_wording(wording) if wording is not None else ""
        chip.setToolTip(about)
        chip.setAccessibleDescription(about)
        chip.show()

    def follow(self, state: SyncState) -> None:
        """Online, pending and last sync from the terminal's one sync state (what the status
        bar and banner show) rather than from when the view was read."""
        self.sync_state = state
        state.changed.connect(self._refresh_freshness)

    def _refresh_freshness(self) -> None:
        v = self.view
        parts = []
        online = False
        if v is not None:
            fresh = v.freshness
            state = self.sync_state
            if state is not None and state.known:
                online, pending, last_pull = state.online, state.pending, state.last_pull_at
            else:
                online, pending, last_pull = fresh.online, fresh.pending, fresh.last_pull_at
            parts.append(texts.fill(translate("Customer", "as of %1"), fmt_time(v.as_of)))
            parts.append(
                translate("Customer", "online") if online else translate("Customer", "offline")
            )
            if pending:
                parts.append(translate("Customer", "%n pending", None, pending))
            if last_pull and not self.compact:
                parts.append(texts.fill(translate("Customer", "synced %1"), fmt_time(last_pull)))
        elif self.identity is not None:
            parts.append(texts.reason_message(self._reason or "not_cached"))
        self.freshness.setText(" · ".join(parts))
        self.freshness.setProperty("online", online)

    def retranslate(self) -> None:
        self.refresh()

    def paintEvent(self, event: object) -> None:
        super().paintEvent(event)  # type: ignore[arg-type]
        self.painted.emit()
