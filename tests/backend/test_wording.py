"""The words of every sentence the settings path says (``wangp_backend.wording``), pinned here and only here.

Other tests ask which sentence was said (its kind and facts); this one says what each reads like, so a better
wording is one edit in ``wording.py`` and one here. Each sentence follows the house rules for messages: one
line, plain and complete, saying what happened or what to do.
"""

from __future__ import annotations

import pickle

import pytest

from wangp_backend import wording
from wangp_backend.validate import MEDIA_KEYS
from wangp_backend.wording import SENTENCES, Said

#: kind -> (arguments, the exact sentence)
EXAMPLES: dict[str, tuple[tuple, str]] = {
    "resolution_snapped": (("1000x562", "1008x560"), "Resolution 1000x562 -> 1008x560 (sides are multiples of 16)"),
    'resolution_floored': (
        ('832x480', '832x448', 'LTX-2', 64),
        'Resolution 832x480 -> 832x448 (LTX-2 works in blocks of 64 pixels; the guide is rendered at '
        'that size)',
    ),
    'resolution_reshaped': (
        ('976x416', '2.39:1', 'STANDARD', '832x480'),
        "Resolution 976x416: 2.39:1 from the Standard tier's 832x480",
    ),
    'resolution_not_understood': (('shot', 'wide'), "The shot's resolution 'wide' is not like '832x480'"),
    "frames_snapped": ((54, 53, "Wan2.1", "4n+1"), "Frames 54 -> 53 (Wan2.1 needs 4n+1)"),
    "frames_cut": ((160, 97, "Wan2.1"), "Frames 160 -> 97 (the longest Wan2.1 clip)"),
    "frames_capped": ((97, 49, "PREVIEW"), "Frames 97 -> 49 (Preview tier cap)"),
    "clip_shorter": ((3.0625, 10.0), "The clip covers 3.06 s of the 10.00 s shot"),
    "fps_forced": ((25, 24.0), "Output at 25 fps (model 24 fps) so frames land one-to-one on the timeline"),
    'scene_fps_out_of_range': ((0.01, 0.1, 1000.0), "The scene's frame rate (0.01) must be between 0.1 and 1000 fps"),
    "guidance_negative": ((-1.5,), "Guidance (-1.5) must be a number of 0 or more"),
    "steps_negative": ((-3,), "Steps (-3) must be 0 (automatic) or more"),
    'camera_unusable': (
        (12,),
        'The shot camera cannot be described at frame 12 (zero scale, or a value that is not a number): '
        'fix the camera or use manual camera moves',
    ),
    'template_missing': (('vaporwave', ['action', 'noir']), "Template 'vaporwave' not found (available: action, noir)"),
    'template_applied': (('noir',), "Template 'noir' applied"),
    'quality_unknown': (
        ('ULTRA', ['PREVIEW', 'STANDARD', 'FINAL']),
        "Unknown quality 'ULTRA' (use PREVIEW, STANDARD, FINAL)",
    ),
    'template_steps_unused': (
        (40, 'ltx2_22B_distilled'),
        'Template steps (40) not used: ltx2_22B_distilled is a few-step model',
    ),
    'template_guidance_unused': (
        (7.5, 'ltx2_22B_distilled'),
        'Template guidance (7.5) not used: ltx2_22B_distilled is a few-step model',
    ),
    "no_catalog": ((), "No model catalog yet: frame rules assumed from the model family, model defaults left to WanGP"),
    'no_quality_tier': (
        ('MiniMax H3', 24.0, 8, 17, 241, 'fast'),
        "MiniMax H3 has no quality tier: 24 fps, 8n+1 frames (17-241), defaults of WanGP's preset fast "
        'from the catalog',
    ),
    'model_unknown': (
        ('t2v_1.3', ['t2v_1.3B']),
        "Unknown model type 't2v_1.3' on this WanGP install. Did you mean: t2v_1.3B?",
    ),
    'model_renamed': (
        ('hunyuan_fast', 'hunyuan_t2v_fast'),
        "Model 'hunyuan_fast' is called 'hunyuan_t2v_fast' in today's WanGP",
    ),
    'tier_choice': (
        ('STANDARD', 'Wan 2.1', 'mid', 'Wan2.1 Text2video 14B'),
        'Standard tier on Wan 2.1 (mid VRAM): Wan2.1 Text2video 14B',
    ),
    'model_not_downloaded': (('t2v',), "'t2v' is not downloaded yet: WanGP will download it first"),
    'fallback_skipped': (('t2v_9B',), "Fallback 't2v_9B' skipped: not a model of this WanGP install"),
    "cast_model_chosen": (("multitalk", True), "multitalk chosen for the dialogue under the shot"),
    'cast_model_not_ready': (
        ('audio-driven', ['multitalk', 'fantasy']),
        "No audio-driven model is downloaded yet (multitalk, fantasy): the quality tier's model is used",
    ),
    'camera_mode_unknown': (
        ('ORBIT', ['NONE', 'MANUAL', 'DERIVED']),
        "Unknown camera mode 'ORBIT' (use NONE, MANUAL, DERIVED)",
    ),
    "camera_no_samples": ((), "Camera language: no camera samples to derive moves from"),
    'camera_move_unknown': (
        ('barrel_roll', ['static', 'pan_left']),
        "Unknown camera move 'barrel_roll' (known: static, pan_left)",
    ),
    'end_image_alone': ((), "An end image needs a start image too: set the shot's start image"),
    'image_refused': (
        ('t2v_1.3B', 'start', ['i2v', 'ltx2_distilled'], 3),
        't2v_1.3B cannot take a start image. Models that can: i2v, ltx2_distilled and 3 more',
    ),
    'guide_unknown': (('NORMALS', ['NONE', 'DEPTH']), "Unknown guide 'NORMALS' (use NONE, DEPTH)"),
    'keyframes_unknown': (('EVERY', ['NONE', 'FIRST']), "Unknown keyframes 'EVERY' (use NONE, FIRST)"),
    "guide_strength_out_of_range": ((1.5,), "Guide strength 1.5 is out of range: use a value from 0 to 1"),
    'guide_refused': (
        ('t2v_1.3B', 'cannot follow a depth guide', ['vace_14B', 'vace_1.3B'], 2),
        't2v_1.3B cannot follow a depth guide. Models on this install that can: vace_14B, vace_1.3B and '
        '2 more',
    ),
    'guide_refused_no_catalog': (
        ('t2v_1.3B', 'cannot follow a depth guide', ['VACE', 'LTX-2']),
        't2v_1.3B cannot follow a depth guide: choose a VACE or LTX-2 model',
    ),
    'guide_pending': (
        (832, 480, 81, 16.0),
        'The guide is not rendered yet: render it at 832x480, 81 frames at 16 fps, then build the shot '
        'again',
    ),
    "guide_windows": ((161, 81), "161 frames in sliding windows of 81: each window follows its part of the guide"),
    'guide_mode_mismatch': (
        ('POSE', 'DEPTH'),
        'The rendered guide is POSE, the shot asks for DEPTH: render the guide again',
    ),
    'guide_size_mismatch': (
        ([832, 480, 81, 16.0], [832, 448, 97, 24.0]),
        'The guide was rendered at 832x480, 81 frames at 16 fps; the model uses 832x448, 97 frames at '
        '24 fps: render the guide again',
    ),
    'control_video_missing': (('/takes/guide.mp4',), "The guide's control video is missing: /takes/guide.mp4"),
    'keyframes_unexpected': ((), "The guide has keyframes but the shot's Keyframes is None: render the guide again"),
    'keyframes_misplaced': (
        ('FIRST_LAST', [0, 80], [0]),
        'Keyframes FIRST_LAST need stills at clip frames [0, 80], the guide has [0]',
    ),
    'camera_keys_need_stills': ((), "Keyframes at the camera's keys need at least one still, one per clip frame"),
    "keyframe_outside": ((90, 80), "Keyframe at clip frame 90 is outside the clip (0 to 80)"),
    "keyframe_missing": (("/takes/key_0.png",), "Keyframe still is missing: /takes/key_0.png"),
    "images_injected": ((), "Start/end images sent as injected frames (this model has no start image input)"),
    "first_keyframe_dropped": ((), "The first keyframe is not used: a continued shot starts from the previous take"),
    'keyframe_blockout': (
        (),
        'A keyframe is a blockout render: the clip takes its grey look. Paint over it or render it lit',
    ),
    'keyframe_replaces_start': ((), "The first keyframe replaces the shot's start image"),
    'keyframe_replaces_end': ((), "The last keyframe replaces the shot's end image"),
    "continue_missing": (("/takes/SH010_take001.mp4",), "The take to continue is missing: /takes/SH010_take001.mp4"),
    'continue_with_start_image': ((), "A continued shot starts from the previous take: clear the shot's start image"),
    'continued': (
        (17, 17, 80),
        'Continues the previous take from its last 17 frames; WanGP returns them first, 17 frames to '
        'trim, then 80 new frames',
    ),
    'references_unsupported': (
        ('t2v', ['vace_14B', 'standin']),
        't2v takes no reference images: the cast is described in the prompt only. Models on this '
        'install that do: vace_14B, standin',
    ),
    'set_image_not_sent': ((), "The set image is not sent: the positioned keyframes take the references' first places"),
    'no_reference_mode': (
        ('vace_14B',),
        'vace_14B offers no reference mode on this install: the cast is in the prompt only',
    ),
    'one_face': (('standin', 'Theo'), "standin takes one face: Theo's first image is sent, not the others"),
    'face_needs_reference': (
        ('multitalk',),
        'multitalk animates a face from the dialogue: give the speaking character a reference image in '
        'the Cast panel',
    ),
    'face_needs_start': (
        ('fantasy',),
        'fantasy animates a face from the dialogue: give the speaking character a reference image in '
        "the Cast panel, or set the shot's start image",
    ),
    'face_as_start': (('Mara', 'fantasy'), "Mara's reference image is the start frame: fantasy animates that face"),
    'audio_not_sent': (
        ('t2v', ['multitalk']),
        'The sound under the shot is not sent: t2v takes no audio; models on this install that do: '
        'multitalk',
    ),
    'dialogue_missing': (
        ('multitalk', 'SH010', 1, 81),
        'multitalk is driven by dialogue, but no sound strip lies under SH010 (frames 1-81): put the '
        "line's sound strip under the shot, or choose a model that does not need audio",
    ),
    "speakers_dropped": (("fantasy", 1, ["Theo"]), "fantasy takes 1 speaker(s): Theo not sent"),
    "no_model_set": ((), "No model is set (the settings have no model_type)."),
    'model_not_in_catalog': (
        ('zzzzzz', []),
        "Unknown model 'zzzzzz': this WanGP has no such video model. Refresh the model list to see what "
        'it offers.',
    ),
    "prompt_empty": ((), "The prompt is empty: describe what happens in the shot."),
    "video_length_not_frames": (("True",), "video_length must be a number of frames, got True."),
    'video_length_bad': (("'many'",), "video_length must be a number of frames (or seconds such as '4s'), got 'many'."),
    'resolution_bad': (("'wide'",), "resolution must look like '832x480' (width x height), got 'wide'."),
    "media_not_a_path": (("image_refs", "3"), "image_refs must be a file path, got 3."),
    'media_not_absolute': (
        ('image_start', 'shots/start.png'),
        "image_start must be an absolute path, got 'shots/start.png'.",
    ),
    "media_missing": (("image_end", "/shots/gone.png"), "image_end: file not found: /shots/gone.png"),
    'seed_bad': (("'lucky'",), "seed must be a whole number (-1 for random), got 'lucky'."),
    "random_seed": ((554933834,), "Random seed 554933834"),
}


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_sentence_reads_as_written(kind: str) -> None:
    args, text = EXAMPLES[kind]
    said = SENTENCES[kind](*args)
    assert said == text
    assert (said.kind, list(said.facts.values())) == (kind, list(args))


def test_every_sentence_has_an_example() -> None:
    assert sorted(SENTENCES) == sorted(EXAMPLES)


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_each_sentence_keeps_the_message_rules(kind: str) -> None:
    args, _text = EXAMPLES[kind]
    said = SENTENCES[kind](*args)
    text = str(said)
    assert "\n" not in text and text == text.strip() and "  " not in text and ".." not in text
    # A sentence starts with a capital, a number, a quoted name, or the model or settings key it is about.
    opening = text.split()[0].rstrip(":")
    names = {str(value) for value in said.facts.values()} | set(MEDIA_KEYS) | {"seed", "resolution", "video_length"}
    assert text[0].isupper() or text[0].isdigit() or text[0] == "'" or opening in names, text


def test_a_string_argument_is_quoted_so_seconds_read_as_typed() -> None:
    assert wording.frames_snapped("4s", 65, "t2v", "4n+1") == "Frames '4s' -> 65 (t2v needs 4n+1)"


def test_a_sentence_survives_a_process_boundary_with_its_kind() -> None:
    said = wording.frames_cut(160, 97, "Wan2.1")
    back = pickle.loads(pickle.dumps(said))
    assert isinstance(back, Said) and (back, back.kind, back.facts) == (said, "frames_cut", said.facts)
    assert wording.kind_of(back) == "frames_cut" and wording.kind_of("plain") == ""
