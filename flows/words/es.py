"""stub"""
from __future__ import annotations
from dataclasses import replace
from flows.words.en import LANGUAGE as _EN
LANGUAGE = replace(_EN, code="es")
