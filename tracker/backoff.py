"""One backoff policy for everything that tries again: a fetch after a timeout or a 5xx,
an alert a channel refused, a source that keeps failing.

The wait doubles from `first` up to `longest`; a random factor drawn from `jitter` spreads
out the retries of many things that failed together. This module imports nothing of the
project, so the alerts package uses it too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Backoff:
    first: timedelta
    longest: timedelta
    jitter: tuple[float, float] = (1.0, 1.0)  # factor range; (1.0, 1.25) never waits less

    def nominal(self, failures: int) -> timedelta:
        """The wait after `failures` failures in a row (1 for the first), before jitter."""
        wait: timedelta = self.first * 2 ** max(failures - 1, 0)
        return min(wait, self.longest)

    def jittered(self, wait: timedelta) -> timedelta:
        low, high = self.jitter
        return wait * random.uniform(low, high) if high > low else wait  # noqa: S311

    def delay(self, failures: int) -> timedelta:
        return self.jittered(self.nominal(failures))
