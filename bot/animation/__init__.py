"""Animations of the exercises: drawn by the project's own code, encoded by ffmpeg."""
