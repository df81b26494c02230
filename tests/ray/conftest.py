"""The Ray tier: a real Ray cluster on this machine (a head and two "GPU" nodes) with simulated GPU workers.

The custom resource ``md_gpu`` stands in for a GPU; the workers run the WanGP test double. Ray listens
on more than the loopback address, so this tier only runs inside a private network namespace
(``unshare -n`` with ``ip link set lo up``; ``tools/test.sh`` does that) and skips anywhere else.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = str(Path(__file__).resolve().parents[2])
FAKE_ROOT = os.path.join(REPO, "tests", "fake_wangp")


def private_network() -> bool:
    """Only the loopback interface exists here (this process's network namespace)."""
    return [name for _index, name in socket.if_nameindex()] == ["lo"]


import ray  # noqa: E402
from ray.cluster_utils import Cluster  # noqa: E402

sys.path.insert(0, REPO)

from farm import ray_app  # noqa: E402
from farm.serve import RayBackend, start_farm  # noqa: E402


class RayFarm:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.fake_config = root / "fake_wangp.json"
        self.configure(step_delay_s=0.02, slow_step_delay_s=0.8, load_delay_s=0.3, steps_cap=4)
        # Ray's processes inherit this environment: the repository and the double's script.
        os.environ["PYTHONPATH"] = REPO
        os.environ["FAKE_WANGP_CONFIG"] = str(self.fake_config)
        os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
        self.cluster = Cluster(initialize_head=True, head_node_args={
            "num_cpus": 2, "node_ip_address": "127.0.0.1", "include_dashboard": False,
            "_system_config": {"health_check_period_ms": 500, "health_check_timeout_ms": 500,
                               "health_check_failure_threshold": 3, "health_check_initial_delay_ms": 0},
        })
        self.gpu_nodes = [self.add_gpu_node() for _ in range(2)]
        ray.init(address=self.cluster.address, namespace=ray_app.NAMESPACE, logging_level="ERROR",
                 log_to_driver=False)
        self.data = root / "head"
        self.actor = start_farm(str(self.data), 2, simulated=True, wangp_root=FAKE_ROOT, wangp_args=[],
                                vram_gb=[24.0, 12.0], scratch=str(root / "scratch"))
        self.backend = RayBackend(self.actor)
        self.wait(lambda: len([w for w in self.backend.info()["workers"] if w["state"] != "lost"]) == 2, 120,
                  "both workers to load WanGP")

    def add_gpu_node(self) -> Any:
        return self.cluster.add_node(num_cpus=1, resources={"md_gpu": 1}, node_ip_address="127.0.0.1")

    def configure(self, **values: Any) -> None:
        current = json.loads(self.fake_config.read_text()) if self.fake_config.exists() else {}
        current.update(values)
        # Written whole, then renamed: the workers re-read the file from their job threads at any moment.
        self.fake_config.with_suffix(".tmp").write_text(json.dumps(current))
        os.replace(self.fake_config.with_suffix(".tmp"), self.fake_config)

    @staticmethod
    def wait(check: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            time.sleep(0.05)

    def dispatcher(self) -> RayBackend:
        """The dispatcher actor, looked up again (it may have been restarted)."""
        return RayBackend(ray.get_actor(ray_app.DISPATCHER, namespace=ray_app.NAMESPACE))

    def close(self) -> None:
        ray.shutdown()
        self.cluster.shutdown()


@pytest.fixture(scope="session")
def ray_farm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RayFarm]:
    if not private_network():
        pytest.skip("the Ray tier runs inside a private network namespace (unshare -n): tools/test.sh does that")
    farm = RayFarm(tmp_path_factory.mktemp("ray_farm"))
    yield farm
    farm.close()
