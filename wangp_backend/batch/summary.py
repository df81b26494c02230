"""The one-line reports a batch gives the user (the Kitsu add-on's "Queued 12 Shots | ..." style)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BatchSummary:
    """What became of a batch's shots, filled in as their jobs end (so it is not frozen)."""

    generated: int = 0
    skipped: int = 0
    cancelled: int = 0
    #: ``(shot_name, reason)`` per failed shot, in the order they failed
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.failures)

    def add_generated(self) -> None:
        self.generated += 1

    def add_skipped(self) -> None:
        self.skipped += 1

    def add_cancelled(self) -> None:
        self.cancelled += 1

    def add_failed(self, shot_name: str, reason: str) -> None:
        self.failures.append((shot_name, reason))

    def line(self) -> str:
        """``"Generated 3 | Failed 1 | Skipped 2"``, plus ``" | Cancelled N"`` when any were."""
        text = f"Generated {self.generated} | Failed {self.failed} | Skipped {self.skipped}"
        return f"{text} | Cancelled {self.cancelled}" if self.cancelled else text

    def report_lines(self) -> list[str]:
        """One ``"<shot>: <reason>"`` line per failed shot, for the report after :meth:`line`."""
        return [f"{shot_name}: {reason or 'no reason given'}" for shot_name, reason in self.failures]


def queue_report(queued: int, skipped_unchanged: int, locked: int = 0) -> str:
    """What the batch operator reports once: ``"Queued 12 Shots | Skipped 3 Unchanged"`` (and ``| 2 Locked``)."""
    line = f"Queued {queued} Shot{'' if queued == 1 else 's'} | Skipped {skipped_unchanged} Unchanged"
    return f"{line} | {locked} Locked" if locked else line
