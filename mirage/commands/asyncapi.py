"""`mirage asyncapi`: the event pipeline's AsyncAPI document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mirage.commands.common import console


def asyncapi(
    output: Annotated[Path, typer.Option(help="Where to write the AsyncAPI document.")] = Path("docs/asyncapi.json"),
) -> None:
    """Write the AsyncAPI document of the event pipeline, generated from the code."""
    from mirage.asyncapi import asyncapi_document

    output.write_text(json.dumps(asyncapi_document(), indent=2, sort_keys=True) + "\n")
    console.print(f"wrote {output}")
