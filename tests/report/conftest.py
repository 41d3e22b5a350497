"""The shared sample warehouse of the end-to-end tests, for the report tests too."""

from tests.e2e.conftest import sample_warehouse  # noqa: F401
