"""The one writer of a shot's generation state: status, progress, phase, steps, error, job id and queued-job count.

Every change is a named transition here, so the rules live in one place: a running shot is never shown as
queued again, queueing a job clears the last error, a job's end leaves the shot busy while another of its jobs
runs. Callers find the shot by its key and say what happened; they never assign these fields themselves
(``tests/backend/test_shot_state_writer.py`` fails if one does). Values go in as the enums of
``wangp_backend.states``: a name outside them raises at the call, not later in a panel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..wangp_backend.states import BUSY, ErrorClass, JobOutcome, ShotStatus

if TYPE_CHECKING:
    from ..properties import MOVIE_DIRECTOR_PG_shot as Shot

#: The error of a shot whose batch job Blender's closing cut short (the panel offers Resume and Recover for it).
INTERRUPTED = "Interrupted: Blender closed while this shot was generating. Resume the batch."

_OUTCOME_LABEL = {
    JobOutcome.DONE: "Done", JobOutcome.FAILED: "Failed", JobOutcome.CANCELLED: "Cancelled",
    JobOutcome.SKIPPED: "Skipped",
}


def status_after(outcome: str) -> ShotStatus:
    """The shot's status once its last job ended so: a skipped job's active take is current, as done as it gets."""
    ended = JobOutcome(outcome)
    return ShotStatus.DONE if ended is JobOutcome.SKIPPED else ShotStatus(ended.value)


def _clear_error(shot: Shot) -> None:
    shot.error_message = shot.error_class = shot.error_hint = ""


def _set_error(shot: Shot, message: str, error_class: str, hint: str) -> None:
    shot.error_message, shot.error_class, shot.error_hint = message, ErrorClass(error_class), hint


# -- the life of a job ---------------------------------------------------------------------------------------------

def job_queued(shot: Shot, session_ready: bool) -> None:
    """One more job of the shot waits (a click, a batch's release, a resumed request, a post-process)."""
    shot.queued_jobs += 1
    if shot.generation_status != ShotStatus.IN_PROGRESS:
        shot.generation_status = ShotStatus.QUEUED
        shot.generation_progress = 0
        shot.generation_phase = "Queued" if session_ready else "Waiting for the session"
    _clear_error(shot)


def job_submitted(shot: Shot, job_id: str) -> None:
    """The host took a job of the shot: the shot names it unless an earlier job of it still runs."""
    if not shot.job_id:
        shot.job_id = job_id


def host_queued(shot: Shot) -> None:
    """The host put the job in its own queue."""
    if shot.generation_status != ShotStatus.IN_PROGRESS:
        shot.generation_status = ShotStatus.QUEUED


def started(shot: Shot, job_id: str, model_type: str, attempt: int) -> None:
    """WanGP began the job (``attempt`` 1 and up: with a fallback model)."""
    shot.generation_status = ShotStatus.IN_PROGRESS
    shot.generation_progress = 0
    shot.job_id = job_id
    shot.generation_phase = f"{'Trying fallback' if attempt else 'Starting'} {model_type}"


def progressed(shot: Shot, percent: int, phase: str, step: int, total_steps: int) -> None:
    shot.generation_status = ShotStatus.IN_PROGRESS
    shot.generation_progress = max(0, min(100, int(percent)))
    shot.generation_phase = phase
    shot.generation_step = step
    shot.generation_total_steps = total_steps


def take_landed(shot: Shot) -> None:
    """A take of the shot was filed (its status follows in :func:`settled`)."""
    shot.generation_progress = 100
    shot.generation_phase = "Done"
    _clear_error(shot)


def failed(shot: Shot, message: str, error_class: str, hint: str) -> None:
    """A job of the shot failed, before or on the host (its status follows in :func:`settled`)."""
    _set_error(shot, message, error_class, hint)
    shot.generation_phase = "Failed"


def cancelled(shot: Shot) -> None:
    shot.generation_phase = "Cancelled"


def settled(shot: Shot, waiting: int, running: bool, outcome: str) -> None:
    """A job of the shot ended ``outcome``; ``waiting`` of its jobs are left, ``running`` if one of them started.

    Other jobs of the shot keep it busy; the last one's outcome is its status.
    """
    status = status_after(outcome)
    shot.queued_jobs = waiting
    if running:
        shot.generation_status = ShotStatus.IN_PROGRESS
    elif waiting:
        shot.generation_status = ShotStatus.QUEUED
    else:
        shot.generation_status = status
        shot.job_id = ""


def ended_without_job(shot: Shot, outcome: str, reason: str) -> None:
    """A batch item ended before it had a job: its previous shot failed, or it could not be queued."""
    ended = JobOutcome(outcome)
    shot.generation_status = status_after(ended)
    shot.generation_phase = _OUTCOME_LABEL[ended]
    shot.error_message = reason


def not_started(shot: Shot, reason: str) -> None:
    """The session could not start: failed with the reason (the panel offers its fix), never idle, since a
    headless run reads the status to know what happened."""
    shot.generation_status = ShotStatus.FAILED
    shot.generation_phase = "Failed"
    shot.generation_progress = 0
    _set_error(shot, reason, ErrorClass.ENVIRONMENT, "")


# -- files, copies, crashes and undo -------------------------------------------------------------------------------

def marked(shot: Shot) -> None:
    """The object just became a shot."""
    shot.generation_status = ShotStatus.IDLE


def new_identity(shot: Shot) -> None:
    """A copy of a shot got its own id: its generation state is clean (its takes stay, those clips exist)."""
    shot.generation_status = ShotStatus.IDLE
    shot.generation_progress = 0
    shot.job_id = ""
    shot.queued_jobs = 0


def reset_stale(shot: Shot) -> bool:
    """A file saved while the shot generated was opened: its jobs belong to an earlier session. True if it was."""
    if shot.generation_status not in BUSY:
        return False
    shot.generation_status = ShotStatus.IDLE
    shot.generation_progress = 0
    shot.generation_phase = ""
    shot.job_id = ""
    shot.queued_jobs = 0
    return True


def interrupted(shot: Shot) -> None:
    """The shot's batch job was cut short by Blender closing: Resume or Recover it."""
    shot.generation_status = ShotStatus.CANCELLED
    shot.generation_progress = 0
    shot.generation_phase = "Interrupted"
    shot.error_message = INTERRUPTED
    shot.job_id = ""
    shot.queued_jobs = 0


def was_interrupted(shot: Shot) -> bool:
    return shot.error_message == INTERRUPTED


def busy(shot: Shot) -> bool:
    """A job of the shot waits or runs: it cannot be unmarked, and the panel offers Cancel."""
    return shot.generation_status in BUSY or shot.queued_jobs > 0


def recovered(shot: Shot) -> None:
    """A take the crash cut off was attached: an interrupted shot is done again."""
    if was_interrupted(shot):
        shot.generation_status = ShotStatus.DONE
        shot.generation_phase = "Recovered"
        shot.error_message = ""


def take_restored(shot: Shot, jobs_left: bool) -> None:
    """Undo took away a delivered take and it was put back: done, unless other jobs of the shot still run."""
    if not jobs_left:
        shot.generation_status, shot.generation_progress, shot.generation_phase = ShotStatus.DONE, 100, "Done"
        shot.job_id = ""
