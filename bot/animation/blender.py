"""Render a job (bot.animation.scene) with Blender's Workbench engine: run by the
renderer's own interpreter, never imported by the bot.

    python blender.py BATCH.json   # [{"job": JOB.json, "out": DIR}, ...]: DIR/0000.png, ...

This file imports only the standard library and Blender's modules: it runs in the
interpreter that has `bpy` (its own venv, .venv/render, because bpy 5.0.1 needs
numpy < 2), with nothing of the bot on its path. It draws what the job says and
decides nothing: every position, colour and camera comes from the job.

Workbench, not Cycles or EEVEE: measured on a 2-core machine, a 480x480 frame takes
about 0.2 s after the first; Cycles needs 4 s for a noisy frame, EEVEE 84 s on
software GL. Its studio lights are set symmetric about the picture's vertical axis
and the shadow light is part of the job (mirrored with the room), so the other side's
picture is the mirror image of the first.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import bpy
from mathutils import Matrix, Vector

RENDERER = "5.0.1"  # the bpy release the key is made with (pyproject pins it)


def linear(hex_colour: str) -> tuple[float, float, float, float]:
    """An sRGB colour as the linear RGBA Blender stores."""

    def one(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    rgb = [one(int(hex_colour[i : i + 2], 16)) for i in (1, 3, 5)]
    return (rgb[0], rgb[1], rgb[2], 1.0)


def ellipsoid(size: list[float], at: list[float], clip: list[float] | None) -> Any:
    """Vertices and faces of an ellipsoid (a UV sphere scaled), optionally cut by a plane."""
    rings, segments = 14, 24
    verts = [(at[0], at[1], at[2] - size[2])]
    for i in range(1, rings):
        phi = math.pi * i / rings
        for j in range(segments):
            th = 2 * math.pi * j / segments
            verts.append(
                (
                    at[0] + size[0] * math.sin(phi) * math.cos(th),
                    at[1] + size[1] * math.sin(phi) * math.sin(th),
                    at[2] - size[2] * math.cos(phi),
                )
            )
    verts.append((at[0], at[1], at[2] + size[2]))
    top = len(verts) - 1
    faces: list[tuple[int, ...]] = []
    for j in range(segments):
        faces.append((0, 1 + (j + 1) % segments, 1 + j))
    for i in range(rings - 2):
        for j in range(segments):
            a = 1 + i * segments + j
            b = 1 + i * segments + (j + 1) % segments
            faces.append((a, b, b + segments, a + segments))
    last = 1 + (rings - 2) * segments
    for j in range(segments):
        faces.append((last + j, last + (j + 1) % segments, top))
    if clip is not None:
        n, d = clip[:3], clip[3]

        def kept(face: tuple[int, ...]) -> bool:
            c = [sum(verts[k][m] for k in face) / len(face) - at[m] for m in range(3)]
            return c[0] * n[0] + c[1] * n[1] + c[2] * n[2] >= d

        faces = [f for f in faces if kept(f)]
    return verts, faces


def capsule(r0: float, r1: float, a: list[float], b: list[float]) -> Any:
    """A tapered capsule from a (radius r0) to b (radius r1): a lathe of two half
    spheres joined by a cone, built along z and turned onto a -> b."""
    seg, cap = 20, 6
    length = math.dist(a, b)
    profile = []  # (radius, z) from the bottom pole to the top pole
    for i in range(cap + 1):
        ang = -math.pi / 2 + (math.pi / 2) * i / cap
        profile.append((r0 * math.cos(ang), r0 * math.sin(ang)))
    for i in range(cap + 1):
        ang = (math.pi / 2) * i / cap
        profile.append((r1 * math.cos(ang), length + r1 * math.sin(ang)))
    axis = Vector(b) - Vector(a)
    turn = axis.to_track_quat("Z", "Y").to_matrix() if axis.length > 1e-9 else Matrix.Identity(3)
    verts = []
    for r, z in profile:
        for j in range(seg):
            th = 2 * math.pi * j / seg
            p = turn @ Vector((r * math.cos(th), r * math.sin(th), z))
            verts.append((p.x + a[0], p.y + a[1], p.z + a[2]))
    faces = []
    for i in range(len(profile) - 1):
        for j in range(seg):
            p = i * seg + j
            q = i * seg + (j + 1) % seg
            faces.append((p, q, q + seg, p + seg))
    return verts, faces


def tube(path: list[list[float]], radius: float) -> Any:
    """An arrow: a round shaft along the path and a cone at its end."""
    seg = 16
    head_len, head_r = radius * 4.8, radius * 2.7
    pts = [Vector(p) for p in path]
    keep = _shaft(pts, head_len)
    rings = [
        (p, (keep[min(i + 1, len(keep) - 1)] - keep[max(i - 1, 0)]).normalized(), radius)
        for i, p in enumerate(keep)
    ]
    rings.append((keep[-1], (pts[-1] - keep[-1]).normalized(), head_r))
    verts = _ring_verts(rings, seg)
    faces = _arrow_faces(len(rings), seg)
    verts.append((pts[-1].x, pts[-1].y, pts[-1].z))
    tip = len(verts) - 1
    head = (len(rings) - 1) * seg
    faces += [(head + j, head + (j + 1) % seg, tip) for j in range(seg)]
    verts.append((pts[0].x, pts[0].y, pts[0].z))
    tail = len(verts) - 1
    faces += [(tail, (j + 1) % seg, j) for j in range(seg)]
    return verts, faces


def _shaft(pts: list[Any], head_len: float) -> list[Any]:
    """The path's points up to where the arrow's head begins (the shaft stops there)."""
    total = sum((pts[i + 1] - pts[i]).length for i in range(len(pts) - 1))
    keep, run = [pts[0]], 0.0
    for i in range(len(pts) - 1):
        step = (pts[i + 1] - pts[i]).length
        if run + step >= total - head_len:
            keep.append(pts[i] + (pts[i + 1] - pts[i]) * ((total - head_len - run) / step))
            break
        run += step
        keep.append(pts[i + 1])
    return keep


def _ring_verts(rings: list[tuple[Any, Any, float]], seg: int) -> list[tuple[float, float, float]]:
    """`seg` vertices round each (centre, direction, radius) ring."""
    verts: list[tuple[float, float, float]] = []
    for p, d, r in rings:
        rot = d.to_track_quat("Z", "Y").to_matrix()
        for j in range(seg):
            th = 2 * math.pi * j / seg
            v = p + rot @ Vector((r * math.cos(th), r * math.sin(th), 0.0))
            verts.append((v.x, v.y, v.z))
    return verts


def _arrow_faces(count: int, seg: int) -> list[tuple[int, ...]]:
    """The shaft's quads between its rings, then the flat ring from the shaft's end out
    to the head's base (the last two rings share a place)."""
    faces: list[tuple[int, ...]] = []
    for i in range(count - 2):
        for j in range(seg):
            a, b = i * seg + j, i * seg + (j + 1) % seg
            faces.append((a, b, b + seg, a + seg))
    base, head = (count - 2) * seg, (count - 1) * seg
    for j in range(seg):
        faces.append((base + j, base + (j + 1) % seg, head + (j + 1) % seg, head + j))
    return faces


def mesh_object(name: str, verts: Any, faces: Any, colour: str) -> Any:
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(verts, [], faces)
    mesh.update()
    mesh.shade_smooth()
    obj = bpy.data.objects.new(name, mesh)
    obj.color = linear(colour)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def frame_matrix(f: list[list[float]]) -> Any:
    o, x, y, z = (Vector(v) for v in f)
    m = Matrix.Identity(4)
    for r in range(3):
        m[r][0], m[r][1], m[r][2], m[r][3] = x[r], y[r], z[r], o[r]
    return m


def setup(job: dict[str, Any]) -> dict[str, Any]:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.render.resolution_x, scene.render.resolution_y = job["size"]
    scene.render.resolution_percentage = 100
    scene.render.image_settings.file_format = "PNG"
    scene.render.image_settings.color_mode = "RGB"
    scene.render.image_settings.compression = 0  # ffmpeg reads them once: no time to squeeze
    scene.render.film_transparent = False
    scene.view_settings.view_transform = "Standard"
    scene.view_settings.look = "None"
    scene.display.render_aa = "FXAA"
    shading = scene.display.shading
    shading.light = "STUDIO"
    shading.studio_light = "Default"
    shading.color_type = "OBJECT"
    shading.show_shadows = True
    shading.shadow_intensity = 0.35
    shading.show_cavity = True
    shading.cavity_type = "SCREEN"
    shading.cavity_ridge_factor = 0.6
    shading.cavity_valley_factor = 0.8
    shading.show_object_outline = True
    shading.object_outline_color = (0.12, 0.12, 0.14)
    shading.show_specular_highlight = True
    shading.background_type = "VIEWPORT"
    shading.background_color = linear(job["colours"]["background"])[:3]
    world = bpy.data.worlds.new("room")
    world.color = linear(job["colours"]["background"])[:3]
    scene.world = world
    d = Vector(job["shadow_from"]).normalized()
    scene.display.light_direction = (d.x, d.y, d.z)
    # studio lights in view space, symmetric left-right: a mirrored room renders as the
    # mirror image (the default studio light comes from the upper left)
    prefs = bpy.context.preferences.system
    prefs.use_studio_light_edit = True
    prefs.light_ambient = (0.50, 0.50, 0.50)
    lights = [
        ((0.0, 0.45, 0.89), 0.78, 0.10),
        ((-0.75, 0.30, 0.59), 0.20, 0.02),
        ((0.75, 0.30, 0.59), 0.20, 0.02),
        ((0.0, -0.6, 0.8), 0.0, 0.0),
    ]
    for light, (direction, diffuse, specular) in zip(prefs.solid_lights, lights, strict=True):
        light.use = diffuse > 0
        light.direction = direction
        light.diffuse_color = (diffuse, diffuse, diffuse)
        light.specular_color = (specular, specular, specular)
        light.smooth = 0.5

    cam_data = bpy.data.cameras.new("camera")
    cam_data.lens = job["camera"]["lens_mm"]
    cam_data.sensor_fit = "HORIZONTAL"
    cam_data.clip_start = 0.05
    camera = bpy.data.objects.new("camera", cam_data)
    scene.collection.objects.link(camera)
    loc, target = Vector(job["camera"]["location"]), Vector(job["camera"]["target"])
    camera.location = loc
    camera.rotation_euler = (target - loc).to_track_quat("-Z", "Y").to_euler()
    scene.camera = camera

    for i, prop in enumerate(job["props"]):
        c, h = prop["centre"], prop["half"]
        verts = [
            (c[0] + sx * h[0], c[1] + sy * h[1], c[2] + sz * h[2])
            for sx in (-1, 1)
            for sy in (-1, 1)
            for sz in (-1, 1)
        ]
        faces = [
            (0, 1, 3, 2),
            (4, 6, 7, 5),
            (0, 4, 5, 1),
            (2, 3, 7, 6),
            (0, 2, 6, 4),
            (1, 5, 7, 3),
        ]
        obj = mesh_object(f"prop{i}", verts, faces, prop["colour"])
        obj.data.shade_flat()

    parts = []
    for i, part in enumerate(job["parts"]):
        if part["shape"] == "ellipsoid":
            verts, faces = ellipsoid(part["size"], part["at"], part["clip"])
        else:
            verts, faces = capsule(part["size"][0], part["size"][1], part["at"], part["to"])
        parts.append((part["bone"], mesh_object(f"part{i}", verts, faces, part["colour"])))

    arrows = []
    for i, path in enumerate(job["arrows"]):
        verts, faces = tube(path, 0.02)
        obj = mesh_object(f"arrow{i}", verts, faces, job["colours"]["arrow"])
        obj.visible_shadow = False
        arrows.append(obj)

    # the pause sign, fixed to the camera at the top of the picture: two bars, and under
    # them a bar that fills from its middle outward over a timed hold
    def hud(name: str, x: float, y: float, hx: float, hy: float, colour: str) -> Any:
        z, d = -1.0, 0.004
        verts = [
            (x + sx * hx, y + sy * hy, z + sz * d)
            for sx in (-1, 1)
            for sy in (-1, 1)
            for sz in (-1, 1)
        ]
        faces = [
            (0, 1, 3, 2),
            (4, 6, 7, 5),
            (0, 4, 5, 1),
            (2, 3, 7, 6),
            (0, 2, 6, 4),
            (1, 5, 7, 3),
        ]
        obj = mesh_object(name, verts, faces, colour)
        obj.data.shade_flat()
        obj.parent = camera
        obj.visible_shadow = False
        return obj

    h = 18 / job["camera"]["lens_mm"]  # half the picture's height, at 1 m from the camera
    top = 0.84 * h
    sign = {
        "bars": [
            hud("pause_l", -0.05 * h, top, 0.027 * h, 0.085 * h, job["colours"]["sign"]),
            hud("pause_r", 0.05 * h, top, 0.027 * h, 0.085 * h, job["colours"]["sign"]),
        ],
        "track": hud(
            "track", 0.0, top - 0.16 * h, 0.18 * h, 0.028 * h, job["colours"]["sign_fill"]
        ),
        "fill": hud("fill", 0.0, top - 0.16 * h, 0.18 * h, 0.036 * h, job["colours"]["sign"]),
    }
    return {"parts": parts, "arrows": arrows, "sign": sign}


def render(job: dict[str, Any], out: Path) -> None:
    if not bpy.app.version_string.startswith(RENDERER):
        raise SystemExit(f"renderer {RENDERER} expected, this is bpy {bpy.app.version_string}")
    built = setup(job)
    scene = bpy.context.scene
    last: str | None = None
    out.mkdir(parents=True, exist_ok=True)
    for k, frame in enumerate(job["frames"]):
        path = out / f"{k:04d}.png"
        same = json.dumps(frame, sort_keys=True)
        if same == last:  # a held position: the same picture again
            shutil.copyfile(out / f"{k - 1:04d}.png", path)
            continue
        last = same
        for bone, obj in built["parts"]:
            obj.matrix_world = frame_matrix(frame["bones"][bone])
        for i, obj in enumerate(built["arrows"]):
            obj.hide_render = frame["arrow"] != i
        sign = frame["sign"]
        for obj in built["sign"]["bars"]:
            obj.hide_render = sign is None
        built["sign"]["track"].hide_render = sign != "hold"
        built["sign"]["fill"].hide_render = sign != "hold" or frame["fill"] <= 0
        built["sign"]["fill"].scale = (max(frame["fill"], 1e-3), 1.0, 1.0)
        scene.render.filepath = str(path)
        bpy.ops.render.render(write_still=True)
        print(f"frame {k + 1}/{len(job['frames'])}", file=sys.stderr, flush=True)


def main() -> None:
    """argv: a batch file, a JSON list of {"job": path, "out": folder}."""
    with open(sys.argv[-1], encoding="utf-8") as f:
        batch = json.load(f)
    # Blender prints a line per frame to stdout; stdout carries the version line only
    print(f"bpy {bpy.app.version_string}", flush=True)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    for i, item in enumerate(batch):
        started = time.perf_counter()
        with open(item["job"], encoding="utf-8") as f:
            job = json.load(f)
        render(job, Path(item["out"]))
        # read by bot.animation.render: the bench's seconds per picture
        print(f"done {i} {time.perf_counter() - started:.3f}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
