"""Turn one WanGP job's ``SessionEvent`` stream into host messages for one of our jobs.

Kept apart from the host thread so the mapping (and the preview throttling it does) is testable
event by event, and so a fallback attempt of the same job shares the log tail of the first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

from .failures import one_line
from .logs import get_logger
from .messages import Log, Message, Preview, Progress
from .preview import PreviewThrottle, to_rgba_bottom_up

log = get_logger()


class JobTranslator:
    """Messages for the events of one WanGP job; :attr:`result` is the ``GenerationResult`` once completed."""

    def __init__(
        self,
        job_id: str,
        shot_key: str,
        log_tail: deque[str],
        *,
        preview_max_side: int = 832,
        preview_max_fps: float = 4.0,
        clock: Callable[[], float],
    ) -> None:
        self.job_id = job_id
        self.shot_key = shot_key
        self.log_tail = log_tail
        self.result: Any = None
        self._max_side = preview_max_side
        self._throttle = PreviewThrottle(preview_max_fps)
        self._clock = clock

    def handle(self, event: Any) -> list[Message]:
        kind, data = getattr(event, "kind", ""), getattr(event, "data", None)
        if kind == "progress":
            return [self._progress(data)] if data is not None else []
        if kind == "preview":
            # Newer WanGP may send no previews, a preview without an image, or ``None``: none of these
            # may reset the progress bar or stop the job.
            if data is None:
                return []
            image = getattr(data, "image", None)
            held = self._throttle.offer(image, self._clock()) if image is not None else None
            progress = [self._progress(data)] if getattr(data, "progress", None) is not None else []
            return [*progress, *self._preview(held)]
        if kind == "stream":
            return self._log(str(getattr(data, "stream", "stdout") or "stdout"), getattr(data, "text", ""))
        if kind in ("status", "info"):
            return self._log(kind, data)
        if kind == "error":
            stage = getattr(data, "stage", None) or "runtime"
            return self._log("stderr", f"WanGP error ({stage}): {getattr(data, 'message', data)}")
        if kind == "completed":
            self.result = data
        # "started", "output" and "refresh_models" carry nothing the user needs.
        return []

    def tick(self) -> list[Message]:
        """The held-back preview once the rate limit allows it."""
        return self._preview(self._throttle.due(self._clock()))

    def finish(self) -> list[Message]:
        """The last held-back preview, at the end of the job, so it is never lost."""
        return self._preview(self._throttle.flush(self._clock()))

    def _progress(self, data: Any) -> Progress:
        percent = int(getattr(data, "progress", 0) or 0)
        return Progress(
            job_id=self.job_id,
            shot_key=self.shot_key,
            phase=str(getattr(data, "phase", "") or ""),
            status=str(getattr(data, "status", "") or ""),
            percent=max(0, min(100, percent)),
            current_step=getattr(data, "current_step", None),
            total_steps=getattr(data, "total_steps", None),
        )

    def _preview(self, image: Any) -> list[Message]:
        if image is None:
            return []
        try:
            width, height, pixels = to_rgba_bottom_up(image, self._max_side)
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            log.warning("job %s: preview image skipped: %s", self.job_id, one_line(exc))
            return []
        return [Preview(job_id=self.job_id, shot_key=self.shot_key, width=width, height=height, pixels=pixels)]

    def _log(self, source: str, text: Any) -> list[Message]:
        text = str(text or "").rstrip()
        if not text.strip():
            return []
        self.log_tail.append(f"[{source}] {text}")
        return [Log(job_id=self.job_id, shot_key=self.shot_key, source=source, text=text)]
