"""Order checks at order-select and order-sign (see the modules of this package)."""

from __future__ import annotations

from ..registry_types import OrderRule

RULES: list[OrderRule] = []
