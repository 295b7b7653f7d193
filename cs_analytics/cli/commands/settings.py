"""CLI command `settings [KEY [VALUE]]` (docs/spec/cli.md): shows or sets a workspace setting."""
from __future__ import annotations

import pandas as pd

from cs_analytics.cli.common import add_command, workspace_from
from cs_analytics.core.config import AS_OF_FROM_DATA
from cs_analytics.core.settings import SETTINGS, all_settings, get_setting, set_setting

COLUMNS = ("key", "value")


def register(subparsers, common) -> None:
    """Add the `settings` command to the parser."""
    p = add_command(subparsers, common, "settings", settings_command,
                    "show or set a workspace setting (as_of, targets)",
                    "Without KEY: every setting in force. With KEY: that setting. With KEY VALUE: "
                    "set it (as_of takes YYYY-MM-DD, or 'data' for the data's own as-of; targets "
                    "take a fraction such as 0.9 or a percent such as 90%). Columns key, value.")
    p.add_argument("key", nargs="?", metavar="KEY", help=f"one of {', '.join(SETTINGS)}")
    p.add_argument("value", nargs="?", metavar="VALUE", help="the new value")
    p.add_argument("--user", help="who is changing the setting (recorded with it)")


def settings_command(args) -> pd.DataFrame:
    """key, value rows: all settings, one, or the one just set."""
    ws = workspace_from(args)
    if args.key is None:
        return pd.DataFrame(list(all_settings(ws).items()), columns=list(COLUMNS))
    if args.value is not None:
        reset = args.key == "as_of" and args.value.strip().lower() == AS_OF_FROM_DATA
        set_setting(ws, args.key, None if reset else args.value, args.user)
    return pd.DataFrame([(args.key, get_setting(ws, args.key))], columns=list(COLUMNS))
