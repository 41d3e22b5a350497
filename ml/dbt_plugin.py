"""dbt-duckdb plugin that imports the ML stack once, before any Python model runs.

With several threads, two Python models importing scikit-learn at the same moment can hit a
circular-import error; importing it here, when dbt opens the connection, avoids the race.
"""

from dbt.adapters.duckdb.plugins import BasePlugin

import ml.risk  # noqa: F401
import ml.segmentation  # noqa: F401


class Plugin(BasePlugin):
    """Nothing to configure: importing this module is the whole job."""
