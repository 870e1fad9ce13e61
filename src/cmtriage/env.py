"""The run's settings every command and collector reads: where the config is, what time it is, and
the config files, each read once a run however many parts of a command ask for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Env:
    config_dir: Path
    now: datetime
    use_cache: bool = True
    _loaded: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def repos(self):
        if "repos" not in self._loaded:
            from cmtriage.config import load_repos

            self._loaded["repos"] = load_repos(self.config_dir)
        return self._loaded["repos"]

    def rotation(self):
        if "rotation" not in self._loaded:
            from cmtriage.rotationfile import load_rotation

            self._loaded["rotation"] = load_rotation(self.config_dir)
        return self._loaded["rotation"]

    def has_repos(self) -> bool:
        from cmtriage.config import REPOS_FILE

        return (self.config_dir / REPOS_FILE).exists()

    def has_rotation(self) -> bool:
        """rotation.yaml is optional: without it reports mention nobody and days are UTC days."""
        from cmtriage.rotationfile import ROTATION_FILE

        return (self.config_dir / ROTATION_FILE).exists()

    def cache(self, namespace: str, api_root: str, token: str | None):
        """A source's on-disk cache for today, keyed by its API root and token identity (with --no-cache:
        one that reads and keeps nothing)."""
        from cmtriage.cache import open_cache

        return open_cache(namespace, api_root, token, today=self.now.date(), enabled=self.use_cache)

    def rotation_or_none(self):
        return self.rotation() if self.has_rotation() else None

    def team_timezone(self):
        """Where the team's days begin: the rotation's time zone, else UTC."""
        from datetime import UTC

        rotation = self.rotation_or_none()
        return rotation.timezone if rotation else UTC

    def on_duty(self) -> str | None:
        """This week's community PM as a Mattermost username; None without rotation.yaml or anyone on duty."""
        rotation = self.rotation_or_none()
        if rotation is None:
            return None
        from cmtriage import rotation as schedule

        member = schedule.on_duty(rotation, self.now)
        return member.mention if member else None

    def where(self, file: str, line: int | None = None) -> str:
        return f"{self.config_dir / file}:{line}" if line else str(self.config_dir / file)
