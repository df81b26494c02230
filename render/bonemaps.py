"""Which bone gives each OpenPose keypoint, per rig family (plain data; the main thread resolves a map
per armature, the worker only follows it).

Each keypoint lists candidates ``(bone, end)`` tried in order; the first bone the armature has wins. A
keypoint no candidate matches is left out (OpenPose skeletons may miss points). Blender's ``.L`` is the
character's left, OpenPose's ``l_`` too.
"""

from __future__ import annotations

from collections.abc import Iterable

from .job import KEYPOINTS

Candidates = tuple[tuple[str, str], ...]

#: A rig is mappable when at least these are found (a torso to hang the limbs on).
CORE = ("neck", "r_shoulder", "l_shoulder", "r_hip", "l_hip")


def _sides(template: dict[str, Candidates]) -> dict[str, Candidates]:
    """Expand ``{side}`` keypoints into r_/l_ with the rig's side spelling (``{S}``: R/L, ``{Side}``: Right/Left)."""
    out: dict[str, Candidates] = {}
    for key, candidates in template.items():
        if "{side}" not in key:
            out[key] = candidates
            continue
        for side, s_short, s_long in (("r", "R", "Right"), ("l", "L", "Left")):
            out[key.replace("{side}", side)] = tuple(
                (bone.replace("{S}", s_short).replace("{Side}", s_long), end) for bone, end in candidates
            )
    return out


def _metarig(prefix: str) -> dict[str, Candidates]:
    """Blender's human metarig (Rigify's source); ``prefix`` "ORG-"/"DEF-" for a generated Rigify rig."""
    p = prefix
    return _sides({
        "nose": ((f"{p}nose.004", "head"), (f"{p}nose", "tail"), (f"{p}spine.006", "head")),
        "neck": ((f"{p}spine.004", "head"),),
        "{side}_shoulder": ((f"{p}upper_arm.{{S}}", "head"),),
        "{side}_elbow": ((f"{p}forearm.{{S}}", "head"),),
        "{side}_wrist": ((f"{p}hand.{{S}}", "head"),),
        "{side}_hip": ((f"{p}thigh.{{S}}", "head"),),
        "{side}_knee": ((f"{p}shin.{{S}}", "head"),),
        "{side}_ankle": ((f"{p}foot.{{S}}", "head"),),
        "{side}_eye": ((f"{p}eye.{{S}}", "head"),),
        "{side}_ear": ((f"{p}ear.{{S}}", "head"),),
    })


MIXAMO = _sides({
    "nose": (("mixamorig:HeadTop_End", "head"), ("mixamorig:Head", "tail")),
    "neck": (("mixamorig:Neck", "head"),),
    "{side}_shoulder": (("mixamorig:{Side}Arm", "head"),),
    "{side}_elbow": (("mixamorig:{Side}ForeArm", "head"),),
    "{side}_wrist": (("mixamorig:{Side}Hand", "head"),),
    "{side}_hip": (("mixamorig:{Side}UpLeg", "head"),),
    "{side}_knee": (("mixamorig:{Side}Leg", "head"),),
    "{side}_ankle": (("mixamorig:{Side}Foot", "head"),),
    "{side}_eye": (("mixamorig:{Side}Eye", "head"),),
})

_ORG, _DEF = _metarig("ORG-"), _metarig("DEF-")

PRESETS: dict[str, dict[str, Candidates]] = {
    # A generated Rigify rig: the ORG bones follow the controls; DEF bones when ORG ones were stripped.
    "RIGIFY": {key: _ORG[key] + _DEF[key] for key in _ORG},
    "MIXAMO": MIXAMO,
    "METARIG": _metarig(""),
}


def resolve(bone_names: Iterable[str], candidates: dict[str, Candidates]) -> dict[str, list[str]]:
    """The keypoint -> ``[bone, end]`` map for an armature with ``bone_names``."""
    names = set(bone_names)
    found: dict[str, list[str]] = {}
    for key in KEYPOINTS:
        for bone, end in candidates.get(key, ()):
            if bone in names:
                found[key] = [bone, end]
                break
    return found


def mappable(found: dict[str, list[str]]) -> bool:
    return all(key in found for key in CORE)


def auto(bone_names: Iterable[str]) -> tuple[str, dict[str, list[str]]]:
    """The preset that maps the rig best (its name and map); ("", {}) when none maps it."""
    names = list(bone_names)
    best = ("", {})
    for preset, candidates in PRESETS.items():
        found = resolve(names, candidates)
        if mappable(found) and len(found) > len(best[1]):
            best = (preset, found)
    return best
