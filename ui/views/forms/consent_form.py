"""The consent form: marketing and browsing, each with the wording in force."""

from __future__ import annotations

from ui.qt import QCheckBox, QHBoxLayout, Qt, QVBoxLayout, QWidget, translate
from ui.views.forms.fields import form_column
from ui.views.widgets import CheckText, label


class ConsentForm(QWidget):
    def __init__(self) -> None:
        super().__init__()
        box = form_column(self, 4)
        self.marketing = QCheckBox()
        self.marketing.setObjectName("consentMarketingBox")
        self.browsing = QCheckBox()
        self.browsing.setObjectName("consentBrowsingBox")
        # The words beside each box wrap (a check box's own text never does): a handheld's
        # width, or a desktop column's.
        self.marketing_text = CheckText(self.marketing)
        self.browsing_text = CheckText(self.browsing)
        # The wording (and version) in force under each: what the customer agrees to.
        self.marketing_wording = label("", "hint", wrap=True)
        self.marketing_wording.setObjectName("consentMarketingWording")
        self.browsing_wording = label("", "hint", wrap=True)
        self.browsing_wording.setObjectName("consentBrowsingWording")
        for check, text, wording in (
            (self.marketing, self.marketing_text, self.marketing_wording),
            (self.browsing, self.browsing_text, self.browsing_wording),
        ):
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(check, 0, Qt.AlignmentFlag.AlignTop)
            column = QVBoxLayout()
            column.setSpacing(2)
            column.addWidget(text)
            column.addWidget(wording)
            wording.hide()
            row.addLayout(column, 1)
            box.addLayout(row)
        self.hint = label("", "hint", wrap=True)
        box.addWidget(self.hint)

    def forget(self) -> None:
        """Forget everything typed or shown (the terminal locked)."""
        self.marketing.setChecked(False)
        self.browsing.setChecked(False)

    def retranslate(self) -> None:
        self.marketing_text.setText(translate("Composer", "Marketing messages (SMS, app, WeChat)"))
        self.marketing.setAccessibleName(translate("Composer", "Consent to marketing messages"))
        self.browsing_text.setText(
            translate("Composer", "Use online browsing to serve them in store")
        )
        self.browsing.setAccessibleName(translate("Composer", "Consent to use of browsing history"))
        self.hint.setText(
            translate(
                "Composer", "Tick or untick what the customer said; saving records the change."
            )
        )
