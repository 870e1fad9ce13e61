"""The one wait budget of a run: how many seconds, in all, every source may still spend waiting for
rate limits to lift (`--wait`). GitHub's pauses and every httpx source's draw on the same budget, so a
digest that meets GitHub's limit and then Discourse's does not wait twice the time the user allowed."""

from __future__ import annotations

import threading


class WaitBudget:
    def __init__(self, seconds: float):
        self.left = seconds
        self._lock = threading.Lock()

    def take(self, seconds: float) -> bool:
        """Spend `seconds` of the budget if it has them (True), else spend nothing (False)."""
        with self._lock:
            if seconds > self.left:
                return False
            self.left -= seconds
            return True
