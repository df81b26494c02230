"""OpenPose skeletons from armatures: bones -> 18 COCO keypoints -> the shot camera -> limbs drawn with numpy.

Colours, stick width 4, the 0.6 dimming of limbs and joint dots of radius 4 are OpenPose's (as WanGP's
DWPose drawer does), so VACE and the LTX-2 union control read them like their own annotator's output.
Arrays are bottom-up (row 0 = bottom), like Blender's image pixels.
"""

from __future__ import annotations

import bpy
import numpy as np
from bpy_extras.object_utils import world_to_camera_view

from .job import KEYPOINTS

#: OpenPose's limbs as keypoint index pairs, and its 18 colours (RGB 0-255).
LIMBS = ((1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (1, 8), (8, 9), (9, 10), (1, 11), (11, 12), (12, 13),
         (1, 0), (0, 14), (14, 16), (0, 15), (15, 17))
COLOURS = ((255, 0, 0), (255, 85, 0), (255, 170, 0), (255, 255, 0), (170, 255, 0), (85, 255, 0), (0, 255, 0),
           (0, 255, 85), (0, 255, 170), (0, 255, 255), (0, 170, 255), (0, 85, 255), (0, 0, 255), (85, 0, 255),
           (170, 0, 255), (255, 0, 255), (255, 0, 170), (255, 0, 85))
STICK_WIDTH = 4
JOINT_RADIUS = 4
LIMB_DIMMING = 0.6

Point = tuple[float, float]


def project_skeletons(scene: bpy.types.Scene, camera: bpy.types.Object, depsgraph: bpy.types.Depsgraph,
                      bone_maps: dict[str, dict[str, list[str]]], width: int, height: int) -> list[list[Point | None]]:
    """Each mapped armature's keypoints in pixels (x right, y up), None where a point is behind the
    camera or outside the frame. ``scene``'s render size must already be the output size."""
    skeletons = []
    for name, mapping in bone_maps.items():
        obj = scene.objects.get(name)
        if obj is None or obj.type != "ARMATURE":
            continue
        evaluated = obj.evaluated_get(depsgraph)
        points: list[Point | None] = []
        for key in KEYPOINTS:
            entry = mapping.get(key)
            bone = evaluated.pose.bones.get(entry[0]) if entry else None
            if bone is None:
                points.append(None)
                continue
            world = evaluated.matrix_world @ (bone.tail if entry[1] == "tail" else bone.head)
            co = world_to_camera_view(scene, camera, world)
            inside = co.z > 0.0 and 0.0 <= co.x <= 1.0 and 0.0 <= co.y <= 1.0
            points.append((co.x * width, co.y * height) if inside else None)
        skeletons.append(points)
    return skeletons


def draw(canvas: np.ndarray, skeletons: list[list[Point | None]]) -> np.ndarray:
    """Draw the skeletons over ``canvas`` (float RGB 0-1, shape ``(h, w, 3)``, bottom-up), in place."""
    for points in skeletons:
        for index, (a, b) in enumerate(LIMBS):
            if points[a] is not None and points[b] is not None:
                colour = np.asarray(COLOURS[index], np.float32) * (LIMB_DIMMING / 255.0)
                _fill_capsule(canvas, points[a], points[b], STICK_WIDTH, colour)
        for index, point in enumerate(points):
            if point is not None:
                _fill_capsule(canvas, point, point, JOINT_RADIUS, np.asarray(COLOURS[index], np.float32) / 255.0)
    return canvas


def _fill_capsule(canvas: np.ndarray, a: Point, b: Point, radius: float, colour: np.ndarray) -> None:
    """Paint the pixels within ``radius`` of the segment a-b (a dot when a == b), looking only at its box."""
    height, width = canvas.shape[:2]
    x0, x1 = max(0, int(min(a[0], b[0]) - radius)), min(width, int(max(a[0], b[0]) + radius) + 1)
    y0, y1 = max(0, int(min(a[1], b[1]) - radius)), min(height, int(max(a[1], b[1]) + radius) + 1)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32) + 0.5
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0.0 else np.clip(((xs - ax) * dx + (ys - ay) * dy) / length2, 0.0, 1.0)
    mask = (xs - (ax + t * dx)) ** 2 + (ys - (ay + t * dy)) ** 2 <= radius * radius
    canvas[y0:y1, x0:x1][mask] = colour
