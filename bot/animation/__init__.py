"""The exercise pictures: a 3D mannequin posed from one table (poses), rendered by
Blender ahead of time (blender, render, prerender), shipped and served (service)."""
