"""Pins the WanGP test double to the measured behaviour of the real WanGP 12.60 API.

Every fact here comes from ``shared/notes/wangp-behaviour.md`` or the real ``shared/api.py``; if the
fake drifts from them, the add-on's own tests stop meaning anything about real WanGP.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import imageio_ffmpeg
import numpy as np
import pytest

WAN = {"model_type": "t2v_1.3B", "prompt": "a red kite over the dunes", "resolution": "128x96", "video_length": 9,
       "num_inference_steps": 30, "seed": 7}
LTX2 = {**WAN, "model_type": "ltx2_22B_distilled", "video_length": 17, "num_inference_steps": 8}
MISSING_WEIGHTS = (
    "An error happened while trying to locate the file on the Hub and we cannot find the requested files in the "
    "local cache. Please check your connection and try again or make sure your Internet connection is on."
)


@pytest.fixture
def api(fake_root: str, fake_config: Callable[..., dict]) -> Any:
    """``shared.api`` of the fake, imported the way an add-on imports a real install."""
    if fake_root not in sys.path:
        sys.path.insert(0, fake_root)
    import shared.api

    assert Path(shared.api.__file__).resolve().is_relative_to(fake_root)
    return shared.api


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return tmp_path / "out"


@pytest.fixture
def session(api: Any, fake_root: str, out_dir: Path) -> Any:
    return api.init(root=fake_root, output_dir=out_dir, console_output=False)


def collect(job: Any, on_event: Callable[[Any], None] | None = None) -> list[Any]:
    """All events of a job until its stream closes (``on_event`` sees each one as it arrives)."""
    events = []
    for event in job.events.iter(timeout=0.05):
        events.append(event)
        if on_event is not None:
            on_event(event)
    return events


def kinds(events: list[Any]) -> list[str]:
    """Event kinds without ``stream`` lines, whose timing relative to commands is not part of the API."""
    return [event.kind for event in events if event.kind != "stream"]


def lines(events: list[Any]) -> list[str]:
    return [event.data.text for event in events if event.kind == "stream"]


def of_kind(events: list[Any], kind: str) -> list[Any]:
    return [event.data for event in events if event.kind == kind]


def video_meta(path: str) -> tuple[dict, list[np.ndarray]]:
    reader = imageio_ffmpeg.read_frames(path)
    meta = next(reader)
    width, height = meta["size"]
    frames = [np.frombuffer(raw, dtype=np.uint8).reshape(height, width, 3) for raw in reader]
    return meta, frames


# --- a successful job ---


def test_success_event_order_texts_and_result(session: Any) -> None:
    started = time.perf_counter()
    job = session.submit_task(dict(WAN))
    submit_s = time.perf_counter() - started
    events = collect(job)
    result = job.result()

    assert submit_s < 0.05
    assert kinds(events)[:3] == ["started", "status", "progress"]
    assert kinds(events)[-2:] == ["output", "completed"]
    assert events[0].data == {"tasks": 1}
    assert of_kind(events, "status") == ["Loading model Wan2.1 Text2video 1.3B..."]
    phases = [p.phase for p in of_kind(events, "progress")]
    assert phases == ["loading_model", "encoding_text"] + ["inference"] * 4 + ["decoding"]
    steps = [p for p in of_kind(events, "progress") if p.phase == "inference"]
    assert [(p.current_step, p.total_steps) for p in steps] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert all(re.fullmatch(r"Prompt 1/1 \| Denoising \| \d+\.\d+s", p.status) for p in steps)
    assert [p.progress for p in steps] == sorted(p.progress for p in steps) and 0 < steps[0].progress < 100
    assert of_kind(events, "output") == [None]
    assert result.success and result.total_tasks == 1 and result.successful_tasks == 1 and result.failed_tasks == 0
    assert result.errors == [] and not result.cancelled
    assert of_kind(events, "completed") == [result]
    assert job.done and job.events.closed

    path = result.generated_files[0]
    assert os.path.isabs(path) and os.path.isfile(path) and Path(path).parent == Path(session._output_dir)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d-\d\dh\d\dm\d\ds_seed7_a red kite over the dunes\.mp4", Path(path).name)
    saved = [i for i, e in enumerate(events)
             if e.kind == "stream" and e.data.text == f"New video saved to Path: {path}"]
    assert len(saved) == 1 and saved[0] < [e.kind for e in events].index("output")


def test_status_comes_before_the_loading_lines_and_previews_are_rgb(session: Any) -> None:
    events = collect(session.submit_task(dict(WAN)))
    loading = [i for i, e in enumerate(events)
               if e.kind == "stream" and e.data.text.startswith("Loading Model 'ckpts/")]
    assert loading and [e.kind for e in events].index("status") < loading[0]
    assert all(e.data.stream == "stdout" for e in events if e.kind == "stream")

    previews = of_kind(events, "preview")
    assert [p.current_step for p in previews] == [2, 4]
    assert all(p.image.mode == "RGB" and p.image.size == (128, 96) and p.phase == "inference" for p in previews)
    assert previews[0].image.tobytes() != previews[1].image.tobytes()


def test_preview_is_on_the_latent_grid_and_at_most_832_wide(session: Any, fake_config: Callable) -> None:
    fake_config(steps_cap=2)
    events = collect(session.submit_task({**WAN, "resolution": "1280x720", "video_length": 5}))
    assert of_kind(events, "preview")[0].image.size == (832, 464)


def test_the_model_loads_once_until_close(session: Any) -> None:
    first = lines(collect(session.submit_task(dict(WAN))))
    again = collect(session.submit_task(dict(WAN)))
    session.close()
    after_close = lines(collect(session.submit_task(dict(WAN))))

    assert any(line.startswith("Loading Model 'ckpts/") for line in first)
    assert not any(line.startswith("Loading Model") for line in lines(again))
    assert of_kind(again, "status") == ["Loading model Wan2.1 Text2video 1.3B..."]
    assert any(line.startswith("Loading Model 'ckpts/") for line in after_close)


def test_callbacks_are_honoured(session: Any) -> None:
    calls: dict[str, list] = {}

    class Callbacks:
        def __getattr__(self, name: str) -> Callable[[Any], None]:
            if not name.startswith("on_"):
                raise AttributeError(name)
            return lambda payload: calls.setdefault(name, []).append(payload)

    job = session.submit_task(dict(WAN), callbacks=Callbacks())
    events = collect(job)

    assert calls["on_status"] == of_kind(events, "status")
    assert calls["on_progress"] == of_kind(events, "progress")
    assert len(calls["on_preview"]) == 2
    assert any(m.text.startswith("New video saved") for m in calls["on_stream"])
    assert calls["on_complete"] == [job.result()]
    assert calls["on_output"] == [None]
    assert "on_error" not in calls
    assert {e.kind for e in calls["on_event"]} >= {"status", "progress", "preview", "stream", "complete"}


def test_return_media_gives_a_3_f_h_w_uint8_array(session: Any) -> None:
    result = session.submit_task({**WAN, "_api": {"return_media": True}}).result()
    artifact = result.artifacts[0]
    assert artifact.path == result.generated_files[0]
    assert artifact.video_tensor_uint8.shape == (3, 9, 96, 128) and artifact.video_tensor_uint8.dtype == np.uint8


def test_a_manifest_runs_every_task(session: Any) -> None:
    job = session.submit_manifest([dict(WAN), {**WAN, "seed": 8}])
    events = collect(job)
    result = job.result()
    assert result.success and result.total_tasks == 2 and result.successful_tasks == 2
    assert len(result.generated_files) == 2
    assert {p.status.split(" | ")[0] for p in of_kind(events, "progress") if p.phase == "inference"} == {
        "Prompt 1/2", "Prompt 2/2"}


# --- the busy rule ---


def test_second_submit_while_running_raises_then_works_after(session: Any) -> None:
    job = session.submit_task({**WAN, "prompt": "slow [fake:slow]"})
    with pytest.raises(RuntimeError, match=r"^WanGP session already has a generation in progress$"):
        session.submit_task(dict(WAN))
    with pytest.raises(TimeoutError):
        job.result(timeout=0.01)
    job.cancel()
    collect(job)
    assert session.submit_task(dict(WAN)).result(timeout=10).success


# --- validation, runtime and scripted failures ---


def test_missing_model_type_is_a_validation_error(session: Any) -> None:
    settings = {k: v for k, v in WAN.items() if k != "model_type"}
    events = collect(session.submit_task(settings))
    assert kinds(events) == ["started", "error", "completed"]
    error = of_kind(events, "error")[0]
    assert (error.message, error.stage) == ("No model_type specified", "validation")
    result = of_kind(events, "completed")[0]
    assert not result.success and result.failed_tasks == 1


def test_unknown_model_type_fails_with_the_useless_runtime_message(session: Any) -> None:
    events = collect(session.submit_task({**WAN, "model_type": "hunyuan_fast"}))
    assert kinds(events) == ["started", "error", "completed"]
    error = of_kind(events, "error")[0]
    assert error == of_kind(events, "completed")[0].errors[0]
    assert (error.message, error.stage, error.task_index) == (
        "'NoneType' object has no attribute 'get'", "runtime", None)
    result = of_kind(events, "completed")[0]
    assert not result.success and result.failed_tasks == 0


@pytest.mark.parametrize("failure, message", [("missing_weights", MISSING_WEIGHTS),
                                              ("runtime", "Expected all tensors to be on the same device")])
@pytest.mark.parametrize("scripted_by", ["config", "prompt"])
def test_scripted_load_failures_follow_the_measured_order(
    session: Any, fake_config: Callable, failure: str, message: str, scripted_by: str
) -> None:
    settings = dict(WAN)
    if scripted_by == "config":
        fake_config(fail_models={"t2v_1.3B": failure})
    else:
        settings["prompt"] += f" [fake:{failure}]"
    job = session.submit_task(settings)
    events = collect(job)

    assert kinds(events) == ["started", "status", "error", "completed"]
    error = of_kind(events, "error")[0]
    assert error.message.startswith(message) and error.stage == "generation" and error.task_index == 1
    result = job.result()
    assert (result.success, result.failed_tasks, result.errors) == (False, 1, [error])
    assert not result.cancelled
    fake_config(fail_models={})
    assert session.submit_task(dict(WAN)).result().success, "the process stays healthy after a failure"


def test_out_of_memory_is_raised_during_inference(session: Any, fake_config: Callable) -> None:
    fake_config(fail_models={"t2v_1.3B": "oom"})
    events = collect(session.submit_task(dict(WAN)))
    assert kinds(events)[:2] == ["started", "status"] and kinds(events)[-2:] == ["error", "completed"]
    assert [p.current_step for p in of_kind(events, "progress") if p.phase == "inference"] == [1, 2]
    error = of_kind(events, "error")[0]
    assert error.message.startswith("CUDA out of memory. Tried to allocate 2.00 GiB") and error.stage == "generation"
    assert of_kind(events, "completed")[0].failed_tasks == 1


def test_offline_hub_fails_fast_for_models_without_weights(
    session: Any, fake_config: Callable, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fake_config(available=["t2v_1.3B"])
    failed = collect(session.submit_task({**WAN, "model_type": "i2v"}))
    assert of_kind(failed, "error")[0].message == MISSING_WEIGHTS
    assert session.submit_task(dict(WAN)).result().success


# --- cooperative cancel ---


def test_cancel_right_after_submit_reports_only_completed(session: Any) -> None:
    job = session.submit_task(dict(WAN))
    job.cancel()
    events = collect(job)
    result = job.result()

    assert job.cancel_requested
    assert kinds(events) == ["started", "completed"]
    assert [(e.message, e.stage) for e in result.errors] == [("Generation was cancelled", "cancelled")]
    assert result.cancelled and not result.success and result.failed_tasks == 1 and result.generated_files == []


@pytest.mark.parametrize("prompt, loading_error", [("a kite", "Model loading was aborted"),
                                                   ("a kite [fake:missing_weights]", MISSING_WEIGHTS)])
def test_cancel_during_loading_reports_the_loading_error_and_the_cancel(
    session: Any, fake_config: Callable, prompt: str, loading_error: str
) -> None:
    fake_config(load_delay_s=0.3)
    job = session.submit_task({**WAN, "prompt": prompt})
    events = collect(job, lambda e: job.cancel() if e.kind == "status" else None)
    result = job.result()

    assert [(e.message, e.stage) for e in of_kind(events, "error")] == [
        (loading_error, "generation"), ("Generation was cancelled", "cancelled")]
    assert result.errors == of_kind(events, "error")
    assert not result.cancelled, "a loading error plus a cancel is not a clean cancellation"
    assert result.generated_files == []


def test_cancel_during_inference(session: Any) -> None:
    job = session.submit_task({**WAN, "prompt": "a kite [fake:slow]"})
    events = collect(job, lambda e: job.cancel() if e.kind == "progress" and e.data.phase == "inference" else None)
    result = job.result()

    assert of_kind(events, "progress")[-1].phase == "cancelled"
    assert "decoding" not in [p.phase for p in of_kind(events, "progress")]
    assert result.cancelled and result.generated_files == [] and result.failed_tasks == 1
    assert session.submit_task(dict(WAN)).result().success, "the process stays healthy after a cancel"


# --- side effects on the host process ---


def test_cwd_is_the_root_during_the_job_and_restored_when_the_stream_ends(
    session: Any, fake_root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []

    class Callbacks:
        def on_progress(self, update: Any) -> None:  # runs on the job thread
            seen.append(os.getcwd())

    job = session.submit_task(dict(WAN), callbacks=Callbacks())
    during = []
    collect(job, lambda e: during.append(os.getcwd()) if e.kind == "progress" else None)

    assert set(seen) == {fake_root}
    assert fake_root in during, "the process cwd (not only the job thread's view) is the root"
    assert os.getcwd() == str(tmp_path)


def test_session_calls_run_with_cwd_at_the_root(
    session: Any, fake_root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wgp = sys.modules["wgp"]
    seen: list[str] = []
    real = wgp.list_model_defs
    monkeypatch.setattr(wgp, "list_model_defs", lambda **f: seen.append(os.getcwd()) or real(**f))
    monkeypatch.chdir(tmp_path)
    assert session.list_model_metadata(model_type="t2v_1.3B")
    assert seen == [fake_root] and os.getcwd() == str(tmp_path)


def test_relative_attachment_paths_resolve_against_the_callers_cwd(
    session: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    seen: list[str] = []

    class Callbacks:
        def on_status(self, text: str) -> None:
            seen.append(session._state["gen"]["queue"][0]["params"]["image_start"])

    collect(session.submit_task({**WAN, "model_type": "i2v", "image_start": "start.png"}, callbacks=Callbacks()))
    assert seen == [str(tmp_path / "start.png")]


def test_prints_from_any_thread_become_stream_events_and_stdout_is_restored(
    session: Any, capfd: pytest.CaptureFixture
) -> None:
    before = (sys.stdout, sys.stderr)
    job = session.submit_task({**WAN, "prompt": "a kite [fake:slow]"})
    printed = threading.Event()

    def other_thread() -> None:
        print("hello from another thread\rsecond line")
        print("to stderr", file=sys.stderr)
        printed.set()

    def on_event(event: Any) -> None:
        if event.kind == "progress" and event.data.phase == "inference" and not printed.is_set():
            assert sys.stdout is not before[0]
            thread = threading.Thread(target=other_thread)
            thread.start()
            thread.join()
            job.cancel()

    events = collect(job, on_event)
    stream = [(e.data.stream, e.data.text) for e in events if e.kind == "stream"]

    assert ("stdout", "hello from another thread") in stream and ("stdout", "second line") in stream
    assert ("stderr", "to stderr") in stream
    assert (sys.stdout, sys.stderr) == before
    assert "hello from another thread" not in capfd.readouterr().out, "console_output=False keeps the console quiet"


def test_console_output_true_echoes_to_the_real_console(api: Any, fake_root: str, out_dir: Path,
                                                        capfd: pytest.CaptureFixture) -> None:
    session = api.init(root=fake_root, output_dir=out_dir, console_output=True)
    collect(session.submit_task(dict(WAN)))
    assert "New video saved to Path: " in capfd.readouterr().out


def test_output_capture_splits_lines_on_cr_and_lf(api: Any) -> None:
    got: list[tuple[str, str]] = []
    capture = api._OutputCapture("stdout", lambda name, line: got.append((name, line)), console=None)
    capture.write("10%\r20%\rdone\nnext")
    assert got == [("stdout", "10%"), ("stdout", "20%"), ("stdout", "done")]
    capture.flush()
    assert got[-1] == ("stdout", "next") and capture.isatty()


def test_stream_iter_never_yields_on_timeout_and_ends_when_closed(api: Any) -> None:
    stream = api.SessionStream()
    assert stream.get(timeout=0.01) is None
    threading.Timer(0.1, stream.close).start()
    started = time.perf_counter()
    assert list(stream.iter(timeout=0.01)) == []
    assert time.perf_counter() - started >= 0.09 and stream.closed
    stream.put("status", "ignored after close")
    assert stream.get(timeout=0.01) is None


# --- init and the one-runtime rule ---


def test_init_switches_argv_and_cwd_only_while_importing(
    api: Any, fake_root: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = list(sys.argv)
    api.init(root=fake_root, cli_args=["--attention", "sdpa", "--profile", "4"], console_output=False)
    wgp = sys.modules["wgp"]
    assert wgp.launch_argv == ["wgp.py", "--attention", "sdpa", "--profile", "4"]
    assert wgp.launch_cwd == fake_root
    assert sys.argv == argv and os.getcwd() == str(tmp_path)
    assert wgp.WanGP_version == "12.60"
    assert os.path.isfile(os.path.join(fake_root, "wgp_config.json"))
    assert os.path.isdir(os.path.join(fake_root, "settings"))


def test_one_runtime_per_process(api: Any, fake_root: str, fake_config: Callable) -> None:
    fake_config(init_delay_s=0.2)
    started = time.perf_counter()
    api.init(root=fake_root, cli_args=["--profile", "4"], console_output=False)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    api.init(root=fake_root, cli_args=["--profile", "4"], console_output=False)
    again_s = time.perf_counter() - started

    assert first_s >= 0.2 and again_s < 0.1
    with pytest.raises(RuntimeError, match=r"^WanGP runtime already loaded with different root/config/cli args$"):
        api.init(root=fake_root, cli_args=["--profile", "2"], console_output=False)
    api._reset_for_tests()
    api.init(root=fake_root, cli_args=["--profile", "2"], console_output=False)


def test_a_config_path_elsewhere_is_passed_with_config_and_must_be_named_wgp_config(
    api: Any, fake_root: str, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="wgp_config.json"):
        api.init(root=fake_root, config_path=tmp_path / "other.json", console_output=False)
    config = tmp_path / "cfg" / "wgp_config.json"
    api.init(root=fake_root, config_path=config, console_output=False)
    assert sys.modules["wgp"].launch_argv == ["wgp.py", "--config", str(config.parent)]
    assert json.loads(config.read_text())["save_path"] == "outputs"


def test_outputs_default_to_root_outputs(api: Any, fake_root: str, fake_config: Callable) -> None:
    session = api.init(root=fake_root, console_output=False)
    path = Path(session.submit_task({**WAN, "prompt": "default output folder"}).result().generated_files[0])
    try:
        assert path.parent == Path(fake_root) / "outputs"
    finally:
        path.unlink()


# --- the catalog ---

RECORD_KEYS = {"model_type", "family", "family_label", "base_model_type", "finetune", "main_output", "outputs",
               "inputs", "media_inputs", "capabilities", "setting_values", "name"}


def test_catalog_records_have_the_real_keys_and_availability(session: Any) -> None:
    records = session.list_model_metadata(main_output="video", include_availability=True)
    assert len(records) == 144
    assert all(set(r) == RECORD_KEYS | {"availability"} for r in records)
    available = {r["model_type"] for r in records if r["availability"]["available"]}
    assert available == {"t2v_1.3B", "i2v", "ltx2_22B_distilled", "ltxv_distilled", "hunyuan_t2v_fast", "t2v_2_2",
                         "flf2v_720p", "ti2v_2_2"}
    assert {r["availability"]["status"] for r in records} == {"available", "missing"}
    assert set(session.list_model_metadata(model_type="t2v_1.3B")[0]) == RECORD_KEYS


def test_availability_follows_the_config(session: Any, fake_config: Callable) -> None:
    fake_config(available=["i2v_2_2"])
    assert session.get_model_availability("i2v_2_2")["status"] == "available"
    assert session.get_model_availability("t2v_1.3B") == {
        "model_type": "t2v_1.3B", "status": "missing", "status_code": 0, "indicator": "black_square",
        "available": False}
    with pytest.raises(ValueError, match="Unknown model_type: nope"):
        session.get_model_availability("nope")


@pytest.mark.parametrize("model_type, fps, minimum, steps, maximum", [
    ("t2v_1.3B", 16, 5, 4, 97), ("i2v", 16, 5, 4, 97), ("ltx2_22B_distilled", 24, 17, 8, 481),
    ("ltxv_distilled", 30, 17, 8, 97), ("hunyuan_t2v_fast", 24, 5, 4, 97),
])
def test_schema_metadata_carries_the_frame_rules(session: Any, model_type: str, fps: int, minimum: int, steps: int,
                                                 maximum: int) -> None:
    schema = session.get_model_schema(model_type)
    meta = schema["metadata"]
    assert (meta["fps"], meta["frames_minimum"], meta["frames_steps"], meta["frames_maximum"]) == (
        fps, minimum, steps, maximum)
    assert {"description", "sliding_window"} <= set(meta) and RECORD_KEYS <= set(meta)
    assert schema["model_type"] == model_type and schema["default_settings"]["model_type"] == model_type


def test_media_inputs_say_which_models_take_start_and_end_images(session: Any) -> None:
    image = {r["model_type"]: r["media_inputs"]["image"] for r in session.list_model_metadata()}
    assert (image["t2v_1.3B"]["start"], image["t2v_1.3B"]["end"]) == (False, False)
    # Wan's handler allows "SEVL" for the i2v bases, "SVL"/"TSVL" (start only) for multitalk and ti2v.
    assert (image["i2v"]["start"], image["i2v"]["end"]) == (True, True)
    assert (image["i2v_2_2_multitalk"]["start"], image["i2v_2_2_multitalk"]["end"]) == (True, False)
    assert (image["ti2v_2_2"]["start"], image["ti2v_2_2"]["end"]) == (True, False)
    assert (image["flf2v_720p"]["start"], image["flf2v_720p"]["end"]) == (True, True)
    assert (image["ltx2_22B_distilled"]["start"], image["ltx2_22B_distilled"]["end"]) == (True, True)
    assert (image["i2v_2_2"]["start"], image["i2v_2_2"]["end"]) == (True, True)
    ltx2 = session.get_model_metadata("ltx2_22B_distilled")
    assert ltx2["setting_values"]["image_prompt_type"] == {"allowed": "TVSE"}
    assert "VG" in ltx2["setting_values"]["video_prompt_type"]["guide_preprocessing"]["selection"]
    assert ltx2["media_inputs"]["audio"]["output"] and "audio" in ltx2["outputs"]


def test_unknown_types_in_catalog_calls(session: Any) -> None:
    assert session.get_model_schema("hunyuan_fast") is None
    assert session.get_model_def("hunyuan_fast") is None
    with pytest.raises(ValueError, match=r"^Unknown model_type: hunyuan_fast$"):
        session.get_default_settings("hunyuan_fast")


def test_default_settings_are_realistic(session: Any) -> None:
    settings = session.get_default_settings("t2v_1.3B")
    assert {k: settings[k] for k in ("resolution", "video_length", "num_inference_steps", "seed", "guidance_scale",
                                     "negative_prompt", "prompt", "model_type")} == {
        "resolution": "832x480", "video_length": 81, "num_inference_steps": 30, "seed": -1, "guidance_scale": 5,
        "negative_prompt": "", "prompt": "", "model_type": "t2v_1.3B"}
    assert session.get_default_settings("ltx2_22B_distilled")["num_inference_steps"] == 8


def test_catalog_filters(session: Any) -> None:
    ltx2 = session.list_model_metadata(family="ltx2")
    assert len(ltx2) == 25 and {r["family"] for r in ltx2} == {"ltx2"}
    assert [r["model_type"] for r in session.list_model_metadata(model_type="T2V_1.3?")] == ["t2v_1.3B"]
    assert all("image" in r["inputs"] for r in session.list_model_metadata(inputs="image"))
    assert session.list_model_metadata(main_output="image") == []
    page = session.list_model_metadata(limit=5, offset=10)
    assert [r["model_type"] for r in page] == [r["model_type"] for r in session.list_model_metadata()][10:15]
    assert "flf2v_720p" in [r["model_type"] for r in session.list_model_metadata(query="first last frame")]


def test_builtin_catalog_when_no_snapshot_is_found(api: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from shared import fake_catalog

    snapshot = {e["model_type"]: e for e in fake_catalog.entries()}
    monkeypatch.setattr(fake_catalog, "DEFAULT_SNAPSHOT", tmp_path / "absent.json")
    monkeypatch.setenv("FAKE_WANGP_CATALOG", str(tmp_path / "absent-too.json"))
    builtin = fake_catalog.entries()
    assert {e["model_type"] for e in builtin} == {"t2v_1.3B", "i2v", "ltx2_22B_distilled", "hunyuan_t2v_fast",
                                                  "ltxv_distilled", "flf2v_720p"}
    rules = ("fps", "frames_minimum", "frames_steps", "frames_maximum", "family", "base_model_type", "capabilities",
             "inputs", "outputs", "name")
    for entry in builtin:
        assert {k: entry[k] for k in rules} == {k: snapshot[entry["model_type"]][k] for k in rules}


def test_catalog_override_by_environment(api: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from shared import fake_catalog

    one = dict(fake_catalog.find("t2v_1.3B"), model_type="only_one")
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"models": [one]}))
    monkeypatch.setenv("FAKE_WANGP_CATALOG", str(path))
    assert [e["model_type"] for e in fake_catalog.entries()] == ["only_one"]


# --- the output file ---


@pytest.mark.parametrize("settings, frames, fps, size", [
    (WAN, 9, 16, (128, 96)),
    ({**WAN, "video_length": 11}, 13, 16, (128, 96)),  # nearest 4n+1
    ({**WAN, "video_length": 200}, 97, 16, (128, 96)),  # clamped to the maximum
    ({**WAN, "video_length": 1}, 5, 16, (128, 96)),  # raised to the minimum
    ({**WAN, "resolution": "129x97"}, 9, 16, (128, 96)),  # made even
    ({**WAN, "force_fps": 8}, 9, 8, (128, 96)),
    ({**WAN, "video_length": "1s"}, 17, 16, (128, 96)),
    ({**LTX2, "video_length": 30}, 33, 24, (128, 96)),  # nearest 8n+1
    ({**LTX2, "resolution": "256x144"}, 17, 24, (256, 144)),
])
def test_mp4_frame_count_fps_and_size(session: Any, settings: dict, frames: int, fps: int,
                                      size: tuple[int, int]) -> None:
    result = session.submit_task(dict(settings)).result()
    meta, decoded = video_meta(result.generated_files[0])
    assert (len(decoded), meta["fps"], meta["size"], meta["codec"]) == (frames, fps, size, "h264")
    assert meta["pix_fmt"].startswith("yuv420p")


def test_frames_depend_on_prompt_and_seed_and_move(session: Any) -> None:
    def first_and_last(**changes: Any) -> tuple[np.ndarray, np.ndarray]:
        _, frames = video_meta(session.submit_task({**WAN, **changes}).result().generated_files[0])
        return frames[0].astype(int), frames[-1].astype(int)

    base, base_last = first_and_last()
    same, _ = first_and_last()
    other_seed, _ = first_and_last(seed=8)
    other_prompt, _ = first_and_last(prompt="a blue kite")

    assert np.abs(base - same).max() <= 2, "same prompt and seed give the same clip"
    assert np.abs(base - other_seed).mean() > 10 and np.abs(base - other_prompt).mean() > 10
    assert np.abs(base - base_last).mean() > 5, "the bar moves"


def test_seed_minus_one_picks_a_random_seed(session: Any) -> None:
    name = Path(session.submit_task({**WAN, "seed": -1}).result().generated_files[0]).name
    assert int(re.search(r"_seed(\d+)_", name).group(1)) >= 0


def test_same_second_same_seed_does_not_overwrite(session: Any) -> None:
    first = session.submit_task(dict(WAN)).result().generated_files[0]
    second = session.submit_task(dict(WAN)).result().generated_files[0]
    assert first != second and os.path.isfile(first) and os.path.isfile(second)


def test_ltx2_clips_have_audio_and_wan_clips_do_not(session: Any) -> None:
    ltx2, _ = video_meta(session.submit_task(dict(LTX2)).result().generated_files[0])
    wan, _ = video_meta(session.submit_task(dict(WAN)).result().generated_files[0])
    assert ltx2.get("audio_codec") == "aac"
    assert "audio_codec" not in wan
