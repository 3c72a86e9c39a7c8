"""The kinds of artifact, defined once; every narrower kind is a subset of `Kind`."""

from __future__ import annotations

from typing import Literal, get_args

Kind = Literal["agent", "skill", "toolset"]
KINDS: tuple[Kind, ...] = get_args(Kind)

# Markdown files with frontmatter (a toolset is a YAML or JSON document): what is validated as
# a document, diffed, and held to a compatibility policy.
DocumentKind = Literal["agent", "skill"]
DOCUMENT_KINDS: tuple[DocumentKind, ...] = get_args(DocumentKind)
