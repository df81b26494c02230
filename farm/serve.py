"""The farm's head: connect to Ray, make sure the dispatcher and one worker per GPU exist, serve HTTP.

Run on the head machine, in WanGP's Python environment with this repository on ``PYTHONPATH``::

    python -m farm.serve --address auto --bind 127.0.0.1 --port 8765 --data-dir /srv/md-farm \\
        --wangp-root /opt/Wan2GP --gpus

``--gpus`` makes one worker per GPU the cluster has (``num_gpus=1`` each, so Ray puts each on its own
GPU); ``--simulated N`` makes N workers that each take one unit of the custom resource ``md_gpu``
instead (the local farm of ``tools/farm.sh``). The token is read from ``--token-file`` or made once
and kept there (mode 0600). The URL and the token are printed, and written to ``<data-dir>/farm.env``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import sys
import threading
from typing import Any

import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from .front import FarmFront
from .ray_app import DISPATCHER, NAMESPACE, WORKER_PREFIX, DispatcherActor, GpuWorker

EVENTS_TIMEOUT_S = 40.0


class RayBackend:
    """The dispatcher actor, seen by the HTTP front as the plain ``Backend`` it expects."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor

    def _get(self, ref: Any, timeout: float = 30.0) -> Any:
        return ray.get(ref, timeout=timeout)

    def submit(self, payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        return self._get(self.actor.submit.remote(payload))

    def cancel(self, job_id: str) -> dict[str, Any] | None:
        return self._get(self.actor.cancel.remote(job_id))

    def status(self, job_id: str) -> dict[str, Any] | None:
        return self._get(self.actor.status.remote(job_id))

    def events(self, since: int, wait_s: float) -> dict[str, Any]:
        return self._get(self.actor.events.remote(since, wait_s), timeout=wait_s + EVENTS_TIMEOUT_S)

    def info(self) -> dict[str, Any]:
        return self._get(self.actor.info.remote())

    def result_path(self, job_id: str) -> str:
        return self._get(self.actor.result_path.remote(job_id))


def token(path: str) -> str:
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as fh:
            return fh.read().strip()
    made = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(made + "\n")
    return made


def write_env(path: str, url: str, secret: str) -> None:
    """``farm.env`` (URL and token, for ``. farm.env``) holds the token: the owner's alone, like ``token``."""
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)  # an older one may be 0644; O_EXCL makes ours with 0600 from the start
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(f"MD_FARM_URL={url}\nMD_FARM_TOKEN={secret}\n")


def start_farm(data_dir: str, workers: int, *, simulated: bool, wangp_root: str, wangp_args: list[str],
               vram_gb: list[float], scratch: str) -> Any:
    """The dispatcher (pinned to this node, detached) and the workers, made once; returns the dispatcher."""
    here = ray.get_runtime_context().get_node_id()
    dispatcher = DispatcherActor.options(
        name=DISPATCHER, namespace=NAMESPACE, lifetime="detached", get_if_exists=True,
        scheduling_strategy=NodeAffinitySchedulingStrategy(node_id=here, soft=False),
    ).remote(data_dir)
    config = {"wangp_root": wangp_root, "cli_args": tuple(wangp_args),
              "output_dir": os.path.join(scratch, "wangp_outputs")}
    for n in range(workers):
        name = f"{WORKER_PREFIX}{n + 1}"
        resources = {"resources": {"md_gpu": 1}} if simulated else {"num_gpus": 1}
        GpuWorker.options(name=name, namespace=NAMESPACE, lifetime="detached", get_if_exists=True,
                          **resources).remote(name, config, os.path.join(scratch, name),
                                              vram_gb[n % len(vram_gb)] if vram_gb else 0.0)
    return dispatcher


def report_workers(workers: int, timeout_s: float) -> list[str]:
    """One line per worker that did not start (WanGP failed to load there, or no GPU is free for it)."""
    problems = []
    for n in range(workers):
        name = f"{WORKER_PREFIX}{n + 1}"
        try:
            ray.get(ray.get_actor(name, namespace=NAMESPACE).hello.remote(), timeout=timeout_s)
        except ray.exceptions.GetTimeoutError:
            problems.append(f"{name}: not started after {timeout_s:g} s (waiting for a free GPU, or WanGP loading)")
        except ray.exceptions.RayActorError as exc:
            problems.append(f"{name}: {str(exc).strip().splitlines()[-1]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="auto", help="the Ray cluster (ray start --head prints it)")
    parser.add_argument("--bind", default="127.0.0.1", help="the address the HTTP front listens on")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--data-dir", required=True, help="the head's folder: journal, uploads, finished clips")
    parser.add_argument("--token-file", default="", help="default: <data-dir>/token")
    parser.add_argument("--wangp-root", required=True, help="the WanGP folder on every GPU machine")
    parser.add_argument("--wangp-args", default="", help="WanGP start-up flags, e.g. '--profile 4'")
    parser.add_argument("--scratch", default="", help="each worker's scratch folder (default: /tmp/md-farm)")
    parser.add_argument("--vram", default="", help="simulated workers' VRAM in GB, e.g. 24,12")
    parser.add_argument("--start-timeout", type=float, default=600.0, help="seconds to wait for WanGP on workers")
    how = parser.add_mutually_exclusive_group(required=True)
    how.add_argument("--gpus", action="store_true", help="one worker per GPU of the cluster")
    how.add_argument("--simulated", type=int, default=0, help="N workers on the custom resource md_gpu")
    args = parser.parse_args(argv)

    data_dir = os.path.abspath(args.data_dir)
    os.makedirs(data_dir, exist_ok=True)
    ray.init(address=args.address, namespace=NAMESPACE, logging_level="WARNING", log_to_driver=False)
    workers = args.simulated or int(ray.cluster_resources().get("GPU", 0))
    if workers <= 0:
        print("farm: the cluster has no GPU: start each GPU machine with `ray start --address=...`", file=sys.stderr)
        return 2
    dispatcher = start_farm(
        data_dir, workers, simulated=bool(args.simulated), wangp_root=os.path.abspath(args.wangp_root),
        wangp_args=args.wangp_args.split(), vram_gb=[float(v) for v in args.vram.split(",") if v.strip()],
        scratch=args.scratch or os.path.join("/tmp", "md-farm"),
    )
    front = FarmFront(RayBackend(dispatcher), token(args.token_file or os.path.join(data_dir, "token")), data_dir,
                      host=args.bind, port=args.port).start()
    write_env(os.path.join(data_dir, "farm.env"), front.url, front.token)
    print(f"farm: {workers} worker(s); URL {front.url} token {front.token}", flush=True)
    for problem in report_workers(workers, args.start_timeout):
        print(f"farm: {problem}", file=sys.stderr, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    front.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
