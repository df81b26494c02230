"""The cast and the soundtrack in the settings: reference letters and images per family (after VACE's
positioned keyframes), K for the set, one-face models, audio letters and speakers, the speaking face,
refusals, the prompt's cast sentence, the sidecar, and the model picked for dialogue or a cast."""

from __future__ import annotations

import wave
from dataclasses import replace

import pytest
from toolkit_support import kinds, needs_snapshot, said, snapshot_catalog

from wangp_backend.cast_spec import CastMember, DialogueLine
from wangp_backend.guide_spec import GuideMedia, Keyframe
from wangp_backend.spec import ShotSpec
from wangp_backend.toolkit import build_settings, load_templates
from wangp_backend.toolkit.cast_settings import audio_models, cast_sentence, reference_models

pytestmark = needs_snapshot


@pytest.fixture(scope="module")
def catalog():
    return snapshot_catalog()


def still(tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.png"
    path.write_bytes(b"png")
    return str(path)


def voice(tmp_path, name: str, seconds: float = 2.0) -> DialogueLine:
    path = tmp_path / f"{name}.wav"
    with wave.open(str(path), "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(16000)
        fh.writeframes(b"\0\0" * int(16000 * seconds))
    return DialogueLine(path=str(path), duration_s=seconds, speaker=name.title(), strips=(f"{name}.wav",))


def shot(**values) -> ShotSpec:
    values.setdefault("camera_mode", "NONE")
    values.setdefault("scene_fps", 16.0)
    values.setdefault("frame_end", 49)
    return ShotSpec(shot_key="shot-1", shot_name="Shot 1", prompt="a courier crosses the yard", **values)


def mara(tmp_path) -> CastMember:
    return CastMember("Mara", "a courier in a red coat", (still(tmp_path, "mara"),))


def theo(tmp_path) -> CastMember:
    return CastMember("Theo", "", (still(tmp_path, "theo_front"), still(tmp_path, "theo_side")), reason="ADDED")


def test_cast_sentence_names_and_describes_each_character(tmp_path):
    assert cast_sentence((mara(tmp_path), theo(tmp_path))) == "Cast: Mara (a courier in a red coat); Theo."
    assert cast_sentence(()) == ""


def test_vace_takes_every_reference_with_i_and_background_removal(catalog, tmp_path):
    built = build_settings(shot(model_type="vace_14B", cast=(mara(tmp_path), theo(tmp_path))), catalog)
    assert built.errors == ()
    settings = built.settings
    assert settings["video_prompt_type"] == "I"
    assert settings["image_refs"] == [str(tmp_path / n) + ".png" for n in ("mara", "theo_front", "theo_side")]
    assert settings["remove_background_images_ref"] == 1
    assert settings["prompt"].endswith("Cast: Mara (a courier in a red coat); Theo.")
    cast = built.sidecar_extra["cast"]
    assert [m["name"] for m in cast] == ["Mara", "Theo"] and cast[1]["reason"] == "ADDED"
    assert cast[1]["sent"] == cast[1]["images"]


def test_a_set_image_goes_first_with_k(catalog, tmp_path):
    built = build_settings(shot(model_type="vace_14B", cast=(mara(tmp_path),), set_image=still(tmp_path, "yard")),
                           catalog)
    assert built.settings["video_prompt_type"] == "KI"
    assert built.settings["image_refs"] == [str(tmp_path / "yard.png"), str(tmp_path / "mara.png")]


def test_with_vace_keyframes_the_positioned_frames_come_first_then_the_cast(catalog, tmp_path):
    spec = shot(model_type="vace_14B", guide="DEPTH", keyframes="FIRST", cast=(mara(tmp_path),))
    first = build_settings(spec, catalog)
    control = tmp_path / "control.mp4"
    control.write_bytes(b"mp4")
    media = GuideMedia(mode="DEPTH", target=first.guide_target, control_video=str(control),
                       keyframes=(Keyframe(clip_frame=0, path=still(tmp_path, "key0")),), content_hash="h")
    built = build_settings(replace(spec, guide_media=media), catalog)
    assert built.errors == ()
    settings = built.settings
    assert settings["video_prompt_type"] == "VFI"
    assert settings["frames_positions"] == "1"
    assert settings["image_refs"] == [str(tmp_path / "key0.png"), str(tmp_path / "mara.png")]
    assert settings["remove_background_images_ref"] == 1


def test_one_face_models_get_the_lead_image_only(catalog, tmp_path):
    built = build_settings(shot(model_type="standin", cast=(theo(tmp_path), mara(tmp_path))), catalog)
    assert built.errors == ()
    assert built.settings["image_refs"] == [str(tmp_path / "theo_front.png")]
    assert {"kind": "one_face", "model": "standin", "name": "Theo"} in said(built.notes)


def test_a_model_without_references_says_so_and_names_models_that_take_them(catalog, tmp_path):
    built = build_settings(shot(model_type="t2v", cast=(mara(tmp_path),)), catalog)
    assert built.errors == () and "image_refs" not in built.settings
    note = next(n for n in said(built.notes) if n["kind"] == "references_unsupported")
    assert note["able"][0].startswith("vace_")
    assert "Cast: Mara" in built.settings["prompt"]
    assert reference_models(catalog)[0].startswith("vace")


@pytest.mark.parametrize("model_type", ["fantasy", "infinitetalk", "multitalk", "hunyuan_avatar"])
def test_an_audio_driven_model_without_sound_is_refused_with_what_is_missing(catalog, tmp_path, model_type):
    built = build_settings(shot(model_type=model_type, cast=(mara(tmp_path),)), catalog)
    assert said(built.errors) == [
        {"kind": "dialogue_missing", "model": model_type, "shot": "Shot 1", "start": 1, "end": 49}
    ]


def test_ltx2_runs_without_audio_and_takes_it_when_there_is_some(catalog, tmp_path):
    assert build_settings(shot(model_type="ltx2_22B_distilled"), catalog).errors == ()
    built = build_settings(shot(model_type="ltx2_22B_distilled", dialogue=(voice(tmp_path, "mara"),)), catalog)
    assert built.settings["audio_guide"] == str(tmp_path / "mara.wav") and built.settings["audio_prompt_type"] == "A"


def test_fantasy_gets_the_voice_and_the_speakers_face_as_its_start(catalog, tmp_path):
    spec = shot(model_type="fantasy", cast=(theo(tmp_path), mara(tmp_path)), dialogue=(voice(tmp_path, "mara"),))
    built = build_settings(spec, catalog)
    assert built.errors == ()
    settings = built.settings
    assert settings["audio_guide"] == str(tmp_path / "mara.wav") and settings["audio_prompt_type"] == "A"
    assert "audio_guide2" not in settings
    assert settings["image_start"] == str(tmp_path / "mara.png") and settings["image_prompt_type"] == "S"
    assert built.sidecar_extra["dialogue"][0]["speaker"] == "Mara"


def test_fantasy_without_any_face_is_refused(catalog, tmp_path):
    built = build_settings(shot(model_type="fantasy", dialogue=(voice(tmp_path, "mara"),)), catalog)
    assert kinds(built.errors)[:1] == ["face_needs_start"]


def test_two_speakers_go_to_audio_guide_and_audio_guide2_on_multitalk(catalog, tmp_path):
    lines = (voice(tmp_path, "mara"), voice(tmp_path, "theo"))
    built = build_settings(shot(model_type="multitalk", cast=(mara(tmp_path),), dialogue=lines), catalog)
    assert built.errors == ()
    settings = built.settings
    assert settings["audio_prompt_type"] == "PAB"
    assert (settings["audio_guide"], settings["audio_guide2"]) == (lines[0].path, lines[1].path)


def test_a_one_speaker_model_sends_the_first_voice_and_says_who_is_left_out(catalog, tmp_path):
    lines = (voice(tmp_path, "mara"), voice(tmp_path, "theo"))
    built = build_settings(shot(model_type="fantasy", cast=(mara(tmp_path),), dialogue=lines), catalog)
    assert built.settings["audio_guide"] == lines[0].path and "audio_guide2" not in built.settings
    assert {"kind": "speakers_dropped", "model": "fantasy", "count": 1, "dropped": ["Theo"]} in said(built.notes)


def test_hunyuan_avatar_gets_the_speakers_face_as_its_one_reference(catalog, tmp_path):
    spec = shot(model_type="hunyuan_avatar", cast=(theo(tmp_path), mara(tmp_path)),
                dialogue=(voice(tmp_path, "mara"),))
    built = build_settings(spec, catalog)
    assert built.errors == ()
    assert built.settings["image_refs"] == [str(tmp_path / "mara.png")]
    assert built.settings["video_prompt_type"] == "I" and built.settings["audio_prompt_type"] == "A"


def test_sound_on_a_model_without_audio_is_a_note(catalog, tmp_path):
    built = build_settings(shot(model_type="t2v", dialogue=(voice(tmp_path, "mara"),)), catalog)
    assert built.errors == () and "audio_guide" not in built.settings
    assert any(n["kind"] == "audio_not_sent" and n["model"] == "t2v" and n["able"] for n in said(built.notes))


def test_dialogue_picks_an_audio_driven_model_at_the_tier(tmp_path):
    catalog = snapshot_catalog(available=["fantasy", "infinitetalk", "hunyuan_avatar", "t2v", "i2v"])
    spec = shot(cast=(mara(tmp_path),), dialogue=(voice(tmp_path, "mara"),))
    built = build_settings(spec, catalog)
    assert built.model_type == "infinitetalk" and built.errors == ()
    assert {"kind": "cast_model_chosen", "model": "infinitetalk", "dialogue": True} in said(built.notes)
    assert set(built.fallbacks) <= set(audio_models(catalog, limit=50))


def test_character_focus_with_a_cast_picks_a_reference_model(tmp_path):
    catalog = snapshot_catalog(available=["phantom_14B", "t2v", "i2v_2_2", "t2v_2_2"])
    spec = shot(template="character_focus", cast=(mara(tmp_path),))
    built = build_settings(spec, catalog, load_templates())
    assert built.model_type == "phantom_14B" and built.errors == ()
    assert built.settings["image_refs"] == [str(tmp_path / "mara.png")]
    plain = build_settings(shot(template="character_focus"), catalog, load_templates())
    assert plain.model_type != "phantom_14B"


def test_nothing_downloaded_keeps_the_tier_model_and_says_why(tmp_path):
    catalog = snapshot_catalog(available=["t2v", "i2v"])
    built = build_settings(shot(cast=(mara(tmp_path),), dialogue=(voice(tmp_path, "mara"),)), catalog)
    assert built.model_type.startswith("t2v") and "audio_guide" not in built.settings  # the Standard Wan tier
    assert any(n["kind"] == "cast_model_not_ready" and n["what"] == "audio-driven" and n["models"][0] == "infinitetalk"
               for n in said(built.notes))
    assert built.errors == ()
