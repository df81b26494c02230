"""Set the copied scene up for one kind of render, and render one frame to a file.

The worker owns its copy of the .blend, so it changes render settings, materials and the world freely.
The compositor moved in 5.0 (node groups with a group output instead of ``scene.node_tree`` and a
Composite node); :func:`route_depth` holds that difference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import bpy

from .job import RenderError

WORKBENCH = "BLENDER_WORKBENCH"
#: A Z pass value at or above this is the background (Workbench writes 1e10 where nothing is hit).
BACKGROUND_Z = 1.0e9


def scene_and_camera(scene_name: str, camera_name: str) -> tuple[bpy.types.Scene, bpy.types.Object]:
    """The job's scene and camera in the worker's copy of the file; RenderError when either is missing."""
    scene = bpy.data.scenes.get(scene_name)
    if scene is None:
        raise RenderError(f"Scene '{scene_name}' is not in the copy of the file")
    camera = scene.objects.get(camera_name) or bpy.data.objects.get(camera_name)
    if camera is None or camera.type != "CAMERA":
        raise RenderError(f"Camera '{camera_name}' is not in scene '{scene_name}'")
    return scene, camera


def base(scene: bpy.types.Scene, camera: bpy.types.Object, width: int, height: int) -> None:
    """The output size and a plain 8-bit RGB PNG still, through ``camera``; nothing burned in."""
    scene.camera = camera
    render = scene.render
    render.resolution_x, render.resolution_y, render.resolution_percentage = width, height, 100
    render.pixel_aspect_x = render.pixel_aspect_y = 1.0
    render.use_border = False
    render.use_sequencer = False
    render.use_compositing = False
    render.use_stamp = False
    render.film_transparent = False
    render.use_file_extension = False
    settings = render.image_settings
    if "media_type" in settings.bl_rna.properties:
        settings.media_type = "IMAGE"
    settings.file_format, settings.color_mode, settings.color_depth = "PNG", "RGB", "8"


def workbench(scene: bpy.types.Scene, shaded: bool) -> None:
    """Workbench: a studio-lit layout (``shaded``) or flat and unlit (depth, where only Z matters)."""
    scene.render.engine = WORKBENCH
    shading = scene.display.shading
    shading.light = "STUDIO" if shaded else "FLAT"
    shading.color_type = "MATERIAL" if shaded else "SINGLE"
    shading.show_cavity = False
    shading.show_shadows = False
    scene.display.render_aa = "FXAA" if shaded else "OFF"
    _view(scene, "Standard")


def depth(scene: bpy.types.Scene) -> None:
    """Workbench Z pass written unchanged to a 32-bit EXR (the worker maps it to disparity itself)."""
    workbench(scene, shaded=False)
    for view_layer in scene.view_layers:
        view_layer.use_pass_z = True
    route_depth(scene)
    scene.render.use_compositing = True
    settings = scene.render.image_settings
    settings.file_format, settings.color_mode, settings.color_depth = "OPEN_EXR", "RGB", "32"
    _view(scene, "Raw")


def route_depth(scene: bpy.types.Scene) -> None:
    """Send the Render Layers' Depth output to the composite result (4.2/4.5 and 5.0 ways)."""
    if hasattr(scene, "compositing_node_group"):
        tree = bpy.data.node_groups.new("MD Guide Depth", "CompositorNodeTree")
        tree.interface.new_socket("Image", in_out="OUTPUT", socket_type="NodeSocketColor")
        scene.compositing_node_group = tree
        output = tree.nodes.new("NodeGroupOutput")
    else:
        scene.use_nodes = True
        tree = scene.node_tree
        tree.nodes.clear()
        output = tree.nodes.new("CompositorNodeComposite")
    layers = tree.nodes.new("CompositorNodeRLayers")
    layers.scene = scene
    tree.links.new(layers.outputs["Depth"], output.inputs[0])


def lineart(scene: bpy.types.Scene) -> None:
    """Freestyle lines in white over black: Cycles at 1 sample, every surface black, a black world."""
    scene.render.engine = "CYCLES"
    scene.cycles.samples = 1
    scene.cycles.use_denoising = False
    scene.cycles.max_bounces = 0
    scene.cycles.device = "CPU"
    black = bpy.data.materials.new("MD Guide Black")
    black.diffuse_color = (0.0, 0.0, 0.0, 1.0)
    if hasattr(black, "use_nodes"):
        black.use_nodes = True
        bsdf = black.node_tree.nodes.get("Principled BSDF")
        if bsdf is not None:
            bsdf.inputs["Base Color"].default_value = (0.0, 0.0, 0.0, 1.0)
            bsdf.inputs["Roughness"].default_value = 1.0
            for name in ("Specular IOR Level", "Specular"):
                if name in bsdf.inputs:
                    bsdf.inputs[name].default_value = 0.0
    world = bpy.data.worlds.new("MD Guide Black World")
    world.color = (0.0, 0.0, 0.0)
    if hasattr(world, "use_nodes"):
        world.use_nodes = True
        background = world.node_tree.nodes.get("Background")
        if background is not None:
            background.inputs["Color"].default_value = (0.0, 0.0, 0.0, 1.0)
    scene.world = world
    render = scene.render
    render.use_freestyle = True
    render.line_thickness_mode = "ABSOLUTE"
    render.line_thickness = 1.5
    for view_layer in scene.view_layers:
        view_layer.material_override = black
        view_layer.use_freestyle = True
        settings = view_layer.freestyle_settings
        settings.as_render_pass = False
        lineset = settings.linesets[0] if len(settings.linesets) else settings.linesets.new("MD Lines")
        if lineset.linestyle is None:
            lineset.linestyle = bpy.data.linestyles.new("MD Lines")
        lineset.linestyle.color = (1.0, 1.0, 1.0)
        lineset.linestyle.alpha = 1.0
    _view(scene, "Standard")


#: EEVEE samples for a keyframe still: it conditions a model at 480-720p, it is not the final frame, and on a
#: CPU-only machine each sample costs (64, the default, took minutes per still on 2 cores).
STILL_EEVEE_SAMPLES = 16


def still(scene: bpy.types.Scene) -> bool:
    """The scene's own engine and look for a keyframe still; True when it is a Workbench blockout."""
    if scene.render.engine.startswith("BLENDER_EEVEE"):
        scene.eevee.taa_render_samples = min(scene.eevee.taa_render_samples, STILL_EEVEE_SAMPLES)
    return scene.render.engine == WORKBENCH


def render_to(scene: bpy.types.Scene, frame: float, path: str) -> None:
    """Render ``scene`` at the (fractional) ``frame`` into ``path``."""
    whole = int(frame // 1)
    scene.frame_set(whole, subframe=frame - whole)
    scene.render.filepath = path
    bpy.ops.render.render(write_still=True, scene=scene.name)


def _view(scene: bpy.types.Scene, transform: str) -> None:
    scene.view_settings.view_transform = transform
    scene.view_settings.look = "None"
    scene.view_settings.exposure = 0.0
    scene.view_settings.gamma = 1.0


@contextlib.contextmanager
def context_scene(scene: bpy.types.Scene) -> Iterator[None]:
    """Make ``scene`` the context scene (renders and ``frame_set`` evaluate that one). The worker is
    single-threaded, so an override is safe here."""
    window = bpy.context.window
    if window is not None:
        window.scene = scene
        yield
        return
    with bpy.context.temp_override(scene=scene, view_layer=scene.view_layers[0]):
        yield
