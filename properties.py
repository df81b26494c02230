"""Movie Director's data on Blender objects: shots (``Object.movie_director``), their takes, and the
scene's project defaults (``Scene.movie_director``). Names are part of the contract in DESIGN.md."""

from __future__ import annotations

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from .compat import BLEND_RELATIVE_PATH
from .render.job import KEYPOINTS
from .runtime import review, shot_index, take_choice
from .wangp_backend.toolkit import CAMERA_MOVES

QUALITY_ITEMS = (
    ("PREVIEW", "Preview", "Fast, small and rough: check timing and framing"),
    ("STANDARD", "Standard", "Balanced speed and quality for reviews"),
    ("FINAL", "Final", "Best model, steps and resolution the machine allows"),
)

STATUS_ITEMS = (
    ("idle", "Idle", "Nothing generated yet, or the last job was acknowledged"),
    ("queued", "Queued", "Waiting for the session"),
    ("in_progress", "In Progress", "Generating now"),
    ("done", "Done", "The last job produced a take"),
    ("failed", "Failed", "The last job failed; see the error"),
    ("cancelled", "Cancelled", "The last job was cancelled"),
)

CAMERA_MODE_ITEMS = (
    ("NONE", "None", "Add no camera wording to the prompt"),
    ("MANUAL", "Manual", "Describe the camera moves chosen below"),
    ("DERIVED", "From Camera", "Describe the shot camera's own animation and framing"),
)

START_IMAGE_ITEMS = (
    ("NONE", "None", "Text to video"),
    ("FILE", "File", "An image file"),
    ("IMAGE", "Blender Image", "An image data-block"),
    ("CAMERA_FRAME", "Camera Frame", "A render of the shot camera at the first frame"),
    ("PREVIOUS_SHOT", "Previous Shot", "The last frame of the previous shot's active take (continuity)"),
)

END_IMAGE_ITEMS = (
    ("NONE", "None", "No end image"),
    ("FILE", "File", "An image file"),
    ("IMAGE", "Blender Image", "An image data-block"),
)

GUIDE_ITEMS = (
    ("NONE", "None", "The prompt alone drives the clip"),
    ("DEPTH", "Depth", "A depth video of the layout through the shot camera (near white, far black)"),
    ("POSE", "Pose", "OpenPose skeletons drawn from the scene's armatures"),
    ("DEPTH_POSE", "Depth + Pose", "Pose skeletons drawn over the depth video"),
    ("LINEART", "Line Art", "White outlines of the layout on black"),
    ("ANIMATIC", "Animatic", "The shaded layout, for WanGP's own depth or pose extraction"),
)

KEYFRAME_ITEMS = (
    ("NONE", "None", "No injected frames"),
    ("FIRST", "First", "A still of the first frame through the shot camera"),
    ("FIRST_LAST", "First and Last", "Stills of the first and last frames"),
    ("CAMERA_KEYS", "Camera Keys", "Stills at the frames where the camera has keyframes"),
)

POSE_RIG_ITEMS = (
    ("AUTO", "Automatic", "Pick the preset that maps each armature's bones"),
    ("RIGIFY", "Rigify", "A generated Rigify rig (ORG- / DEF- bones)"),
    ("MIXAMO", "Mixamo", "A Mixamo rig (mixamorig: bones)"),
    ("METARIG", "Human Metarig", "Blender's human metarig bone names"),
    ("CUSTOM", "Custom", "The bone map below"),
)

KEYPOINT_ITEMS = tuple((key, key.replace("_", " ").title().replace("R ", "Right ").replace("L ", "Left "), "")
                       for key in KEYPOINTS)

CAMERA_MOVE_ITEMS = tuple((move_id, label, wording) for move_id, label, wording in CAMERA_MOVES)


def _is_shot_changed(self, context) -> None:
    shot_index.forget()  # polls and panels see the new shot at once


def _review_changed(self, context) -> None:
    """A rating or note edited in the panel goes to the take's sidecar at once (atomically)."""
    review.save(self)


def _take_row_selected(self, context: bpy.types.Context) -> None:
    take_choice.list_row_selected(self, context)


class MOVIE_DIRECTOR_PG_take(bpy.types.PropertyGroup):
    """One generated clip of a shot; the sidecar JSON beside it holds the exact settings."""

    # Blend-relative ("//...") when inside the .blend's folder, so a project folder can be moved.
    filepath: StringProperty(
        name="Clip", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH, description="The generated clip"
    )
    sidecar_path: StringProperty(
        name="Sidecar", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH,
        description="JSON with the exact settings that made this take",
    )
    model_type: StringProperty(name="Model", description="WanGP model type that made this take")
    seed: IntProperty(name="Seed", description="Seed used, to re-make the take exactly")
    created: StringProperty(name="Created", description="When the take finished (ISO 8601)")
    used_fallback: BoolProperty(name="Used Fallback", description="The primary model failed; a fallback made it")
    primary_error: StringProperty(name="Primary Error", description="Why the primary model failed")
    settings_hash: StringProperty(name="Settings Hash", description="Fingerprint of the settings used")
    fps: FloatProperty(name="FPS", description="Frame rate of the clip")
    frame_count: IntProperty(name="Frames", description="Number of frames in the clip")
    has_audio: BoolProperty(name="Audio", description="The clip has a sound track")
    width: IntProperty(name="Width", description="Picture width of the clip in pixels (0: unknown)")
    height: IntProperty(name="Height", description="Picture height of the clip in pixels (0: unknown)")
    approved: BoolProperty(
        name="Approved", description="The director approved this take: the shot is locked against regeneration"
    )
    rating: IntProperty(
        name="Rating", min=0, max=5, description="Your rating of the take, 0 to 5 (kept in its sidecar too)",
        update=_review_changed,
    )
    note: StringProperty(name="Note", description="Your note on the take (kept in its sidecar too)",
                         update=_review_changed)
    parent_take: StringProperty(
        name="Parent Take", description="Clip this take was post-processed from; empty for a generated take"
    )


class MOVIE_DIRECTOR_PG_bone_map(bpy.types.PropertyGroup):
    """One OpenPose keypoint taken from a bone of the user's own rig (Pose Rig: Custom)."""

    keypoint: EnumProperty(name="Keypoint", items=KEYPOINT_ITEMS, description="OpenPose keypoint")
    bone: StringProperty(name="Bone", description="Bone whose head (or tail) is the keypoint")
    use_tail: BoolProperty(name="Tail", description="Take the bone's tail instead of its head")


CAST_OVERRIDE_ITEMS = (
    ("ADD", "Add", "In the shot even when the camera does not see it"),
    ("REMOVE", "Remove", "Not in the shot even when the camera sees it"),
    ("PIN", "Pin", "In the shot and its lead: its face and voice come first"),
)


class MOVIE_DIRECTOR_PG_cast_image(bpy.types.PropertyGroup):
    """One reference image of a character: a file, or a Blender image (a turnaround sheet counts as one)."""

    filepath: StringProperty(
        name="File", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH, description="Reference image file"
    )
    image: PointerProperty(name="Image", type=bpy.types.Image, description="Reference image data-block")


class MOVIE_DIRECTOR_PG_character(bpy.types.PropertyGroup):
    """A character of the cast (``name`` is its name): what stands for it in the layout, and its references."""

    description: StringProperty(name="Description", description="A short description, added to the prompt")
    target: PointerProperty(
        name="Object", type=bpy.types.Object, description="The actor proxy, armature or prop standing for it"
    )
    collection: PointerProperty(
        name="Collection", type=bpy.types.Collection, description="A collection standing for it (instead of an object)"
    )
    images: CollectionProperty(type=MOVIE_DIRECTOR_PG_cast_image, name="Reference Images")
    voice_channel: IntProperty(
        name="Voice Channel", min=0, max=128, default=0,
        description="Sequencer channel of its lines (0: sound strips named after the character)",
    )


class MOVIE_DIRECTOR_PG_cast_override(bpy.types.PropertyGroup):
    """A shot's own say on one character (``name`` is the character's name)."""

    mode: EnumProperty(name="Mode", items=CAST_OVERRIDE_ITEMS, default="ADD", description="What the shot does")


class MOVIE_DIRECTOR_PG_shot(bpy.types.PropertyGroup):
    """A shot: what to generate for an object (usually a camera) over a frame range."""

    is_shot: BoolProperty(name="Is Shot", description="This object is a Movie Director shot", update=_is_shot_changed)
    shot_id: StringProperty(name="Shot ID", description="Stable key of the shot, unique in the scene")
    prompt: StringProperty(name="Prompt", description="What happens in the shot")
    negative_prompt: StringProperty(name="Negative Prompt", description="What the shot must avoid")
    template: StringProperty(name="Template", description="Look applied around the prompt (template id)")
    model_type: StringProperty(
        name="Model", description="WanGP model type; empty lets the quality tier choose"
    )
    fallback_model_type: StringProperty(
        name="Fallback Models",
        description="Model types tried in order if the model fails (comma separated); empty uses the tier's",
    )
    quality: EnumProperty(name="Quality", items=QUALITY_ITEMS, default="STANDARD", description="Quality tier")
    frame_start: IntProperty(name="Start", default=1, description="First frame of the shot on the timeline")
    frame_end: IntProperty(name="End", default=81, description="Last frame of the shot on the timeline")
    resolution: StringProperty(
        name="Resolution", description="Width x height, e.g. 832x480; empty lets the template and tier choose"
    )
    seed: IntProperty(name="Seed", default=-1, min=-1, description="Seed; -1 picks one (recorded in the take)")
    steps: IntProperty(name="Steps", default=0, min=0, description="Denoising steps; 0 lets the tier choose")
    guidance: FloatProperty(
        name="Guidance", default=0.0, min=0.0, description="Guidance scale; 0 lets the tier and model choose"
    )
    camera_mode: EnumProperty(
        name="Camera Language", items=CAMERA_MODE_ITEMS, default="MANUAL",
        description="Where the camera wording in the prompt comes from",
    )
    camera_wording: StringProperty(
        name="Camera Wording", description="Camera language added to the prompt (updated before generating)"
    )
    camera_movements: EnumProperty(
        name="Camera Moves", items=CAMERA_MOVE_ITEMS, options={"ENUM_FLAG"},
        description="Camera moves described in the prompt",
    )
    start_image_source: EnumProperty(
        name="Start Image", items=START_IMAGE_ITEMS, default="NONE", description="Where the first frame comes from"
    )
    start_image: StringProperty(
        name="Start Image File", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH,
        description="Image file for the first frame",
    )
    start_image_data: PointerProperty(
        name="Start Image Data-Block", type=bpy.types.Image, description="Blender image for the first frame"
    )
    end_image_source: EnumProperty(
        name="End Image", items=END_IMAGE_ITEMS, default="NONE", description="Where the last frame comes from"
    )
    end_image: StringProperty(
        name="End Image File", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH,
        description="Image file for the last frame",
    )
    end_image_data: PointerProperty(
        name="End Image Data-Block", type=bpy.types.Image, description="Blender image for the last frame"
    )

    guide: EnumProperty(
        name="Guide", items=GUIDE_ITEMS, default="NONE", description="What the layout gives the model, frame by frame"
    )
    guide_strength: FloatProperty(
        name="Guide Strength", default=1.0, min=0.0, max=1.0, subtype="FACTOR",
        description="How closely the clip follows the guide",
    )
    keyframes: EnumProperty(
        name="Keyframes", items=KEYFRAME_ITEMS, default="NONE",
        description="Stills rendered through the shot camera and injected as exact frames",
    )
    keyframe_first_image: StringProperty(
        name="First Keyframe Image", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH,
        description="Your own image for the first keyframe instead of the render",
    )
    keyframe_last_image: StringProperty(
        name="Last Keyframe Image", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH,
        description="Your own image for the last keyframe instead of the render",
    )
    continue_previous: BoolProperty(
        name="Continue Previous Shot", description="Continue the motion of the previous shot's active take"
    )
    pose_rig: EnumProperty(
        name="Pose Rig", items=POSE_RIG_ITEMS, default="AUTO", description="How armature bones map to pose keypoints"
    )
    pose_bone_map: CollectionProperty(type=MOVIE_DIRECTOR_PG_bone_map, name="Pose Bones")
    cast_overrides: CollectionProperty(type=MOVIE_DIRECTOR_PG_cast_override, name="Cast Overrides")
    cast_seen: StringProperty(
        name="Cast Seen", description="Characters the shot camera saw over the range when last looked (names)"
    )
    set_image: StringProperty(
        name="Set Image", subtype="FILE_PATH", options=BLEND_RELATIVE_PATH,
        description="Background or set reference for models that take one (empty: none)",
    )
    guide_status: StringProperty(name="Guide Status", description="What the guide renderer did last")
    guide_hash: StringProperty(name="Guide Hash", description="Content hash of the shot's last rendered guide")
    guide_video: StringProperty(name="Guide Video", subtype="FILE_PATH", description="The last rendered control video")
    guide_blockout: BoolProperty(
        name="Blockout Keyframes", description="The keyframes are Workbench renders: a grey still makes a grey clip"
    )
    guide_thumbnail: PointerProperty(
        name="Guide Thumbnail", type=bpy.types.Image, description="First frame of the guide, for the panel"
    )

    generation_status: EnumProperty(name="Status", items=STATUS_ITEMS, default="idle", description="Generation state")
    generation_progress: IntProperty(
        name="Progress", min=0, max=100, subtype="PERCENTAGE", description="Progress of the current job"
    )
    generation_phase: StringProperty(name="Phase", description="What WanGP is doing now")
    generation_step: IntProperty(name="Step", description="Current denoising step")
    generation_total_steps: IntProperty(name="Total Steps", description="Denoising steps of the current job")
    error_message: StringProperty(name="Error", description="Why the last job failed")
    error_class: StringProperty(name="Error Class", description="Kind of failure, used to offer a fix")
    error_hint: StringProperty(name="Hint", description="What to do about the failure")
    job_id: StringProperty(name="Job", description="Id of the shot's current job in the session")
    queued_jobs: IntProperty(name="Queued Jobs", min=0, description="Jobs of this shot waiting or running")

    takes: CollectionProperty(type=MOVIE_DIRECTOR_PG_take, name="Takes")
    active_take_index: IntProperty(name="Active Take", default=-1, description="Take shown on the timeline")
    compare_take_index: IntProperty(
        name="Compare Take", default=-1, description="The other take of the A/B comparison (the one shown before)"
    )
    take_list_index: IntProperty(
        name="Selected Take", default=-1, update=_take_row_selected,
        description="Row selected in the takes list: selecting a row shows that take on the timeline",
    )
    preview_image: PointerProperty(type=bpy.types.Image, name="Preview", description="Live preview of the shot")


class MOVIE_DIRECTOR_PG_scene(bpy.types.PropertyGroup):
    """Project defaults of a scene and the state of its batch."""

    scene_key: StringProperty(name="Scene Key", description="Stable key of the scene, used in shot keys")
    default_model_type: StringProperty(name="Default Model", description="Model for new shots; empty = by tier")
    default_quality: EnumProperty(name="Default Quality", items=QUALITY_ITEMS, default="STANDARD")
    default_template: StringProperty(name="Default Template", description="Template for new shots")
    default_resolution: StringProperty(name="Default Resolution", description="Resolution for new shots, e.g. 832x480")
    output_dir: StringProperty(
        name="Output Folder", subtype="DIR_PATH", options=BLEND_RELATIVE_PATH,
        description="Where takes are written; empty uses the preference (default //movie_director/)",
    )
    channel: IntProperty(name="Channel", default=2, min=1, max=128, description="Sequencer channel for shot clips")
    only_changed: BoolProperty(
        name="Only Changed", default=True, description="Batch skips shots whose settings match their active take"
    )
    batch_total: IntProperty(name="Batch Total", min=0)
    batch_done: IntProperty(name="Batch Done", min=0)
    batch_failed: IntProperty(name="Batch Failed", min=0)
    batch_skipped: IntProperty(name="Batch Skipped", min=0)
    batch_started: FloatProperty(name="Batch Started", description="Wall-clock start of the batch (epoch seconds)")
    batch_summary: StringProperty(name="Batch Summary", description="Result of the last batch")
    batch_order: StringProperty(name="Batch Order", description="Shot names in the order the batch runs them")
    contact_sheet_path: StringProperty(
        name="Contact Sheet", subtype="FILE_PATH", description="The last contact sheet made for this scene"
    )
    contact_sheet_status: StringProperty(name="Contact Sheet Status", description="What the contact sheet is doing")
    cast: CollectionProperty(type=MOVIE_DIRECTOR_PG_character, name="Cast")
    cast_index: IntProperty(name="Character", default=0, description="Character selected in the Cast panel")


classes = (
    MOVIE_DIRECTOR_PG_take,
    MOVIE_DIRECTOR_PG_bone_map,
    MOVIE_DIRECTOR_PG_cast_image,
    MOVIE_DIRECTOR_PG_character,
    MOVIE_DIRECTOR_PG_cast_override,
    MOVIE_DIRECTOR_PG_shot,
    MOVIE_DIRECTOR_PG_scene,
)


def register() -> None:
    for cls in classes:
        bpy.utils.register_class(cls)
    bpy.types.Object.movie_director = PointerProperty(type=MOVIE_DIRECTOR_PG_shot)
    bpy.types.Scene.movie_director = PointerProperty(type=MOVIE_DIRECTOR_PG_scene)


def unregister() -> None:
    del bpy.types.Scene.movie_director
    del bpy.types.Object.movie_director
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
