"""Store reports computed on the terminal, offline: the day's visits at a glance (Qt-free).

Sources, merged and de-duplicated by interaction id:

* outbox.db ``interactions`` — everything recorded at *this* terminal, synced or not (rows the
  hub rejected, and those corrected, withdrawn or dismissed, are left out of every figure);
* cache.db ``visits`` — the hub's history rows for the other terminals of this store
  (``store_id``), redemptions included. Each carries who served (``staff_id``) and its kind's
  structured facts (``facts``: the sku of an ``interest``, the lines and amount of a ``sale``,
  the coupon of a ``redeem`` — the fields of the payload, see clerk/shared/interactions/),
  so their sales and redemptions count exactly as this terminal's do.

Definitions (the tests compute a fixture day by hand with exactly these):

* a **visit** is an interaction of kind ``visit``; it is **identified** when it has a
  ``member_id`` and a **walk-in** when it only has a ``member_ref`` (a scanned identity the
  cache did not know) or names no one (a walk-in visit: a customer served who is not a
  member; each is a visit of its own). It is **returning** when the member was recorded in a
  store before — any earlier record of them anywhere in the data (both files, every store: a
  visit, a note, a sale …) — else **new**.
* a visit's **length** runs from the visit to the member's last interaction before their next
  visit on that day at the same terminal (hub rows: same associate); a lone scan lasts 0 s. The
  average is over all visits.
* a **coupon redeemed** is worth its ``value`` (``amount_off``) or ``value`` % of the sale
  (``percent_off``: the redeem's ``amount_cents``, else the sales of the same visit).
* an **online cart converted** is a cart item (state open or bought) of the member, added
  before an assisted sale whose items include its sku (or whose ``cart_item_ids`` name it).
* **unsynced** counts this terminal's rows in the figures that are still pending or sent.

Manager-only entry points take the :class:`~clerk.staff.Session` and check the role
themselves: :func:`~clerk.reports.export.visits_report`, :func:`~clerk.reports.export.export_csv`,
:func:`~clerk.reports.conflicts.resolve_conflict` (the CLI, ``clerk report``, is
:mod:`clerk.cli.report`). Reports and exports are written to the audit log (``export``).

The modules, in the order the data flows:

* :mod:`~clerk.reports.model` — the result types (what the dashboard and the exports show);
* :mod:`~clerk.reports.load` — the SQL that reads a range of events from the two files;
* :mod:`~clerk.reports.kpis` — a day's figures, visits and drill-down, from those events;
* :mod:`~clerk.reports.export` — the visits report (table, CSV, JSON) and the visit-row CSV;
* :mod:`~clerk.reports.conflicts` — sync health, coupon conflicts and their resolution.
"""
