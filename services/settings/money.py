"""The money settings (declared here, gathered into services.settings.SETTINGS); their
checks and meaning live with the money itself (services/core/money.py).

- ``workspace.home_currency``: the currency every money figure is in.
- ``workspace.exchange_rates``: what one unit of another currency is worth in it.
"""

from __future__ import annotations

from services.core.money import (
    HOME_DEFAULT,
    HOME_SETTING,
    RATES_DEFAULT,
    RATES_SETTING,
    home_problem,
    rates_problem,
)
from services.core.setting_spec import SettingSpec

MONEY_SPECS = (
    SettingSpec(HOME_SETTING, str, HOME_DEFAULT, "Home currency", home_problem, "Money",
                help="Scores, customer totals and alert priorities are figures in this "
                "currency (ISO code, e.g. USD, EUR). Set by the first import that has "
                "amounts.", placeholder="e.g. USD", applies="money"),
    SettingSpec(RATES_SETTING, dict, RATES_DEFAULT, "Exchange rates", rates_problem, "Money",
                help="How many units of the home currency one unit of another currency is "
                "worth, e.g. EUR=1.08, GBP=1.27. Amounts in a currency with no rate are left "
                "out of money figures (never added at face value).", kind="rates",
                placeholder="e.g. EUR=1.08, GBP=1.27", applies="money"),
)  # fmt: skip
