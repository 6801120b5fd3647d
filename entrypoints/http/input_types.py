"""What a request body may hold, beyond its shape: strict numbers and storable text.

Litestar converts bodies leniently (msgspec's strict=False), so a plain `int` field takes "100"
and 100.0; a `WholeNumber` takes only a JSON integer. Every text in a `WireInput` body obeys
domain/text.py's rule, so what the edge accepts PostgreSQL can store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from domain.catalog import PHOTO_URL_MAX
from domain.money import MAX_CENTS
from domain.text import unstorable

if TYPE_CHECKING:  # Litestar's own type for the plugin's signature (a private module)
    from litestar._openapi.schema_generation import SchemaCreator


class WholeNumber(int):
    """An integer body field that must be a JSON number: Litestar converts bodies leniently,
    so a plain `int` would take "100" (and 100.0) too; `TYPE_DECODERS` refuses them (400)."""


def _whole_number(target: type[WholeNumber], value: Any) -> WholeNumber:
    if type(value) is not int:  # bool is an int subclass: excluded by the exact type check
        raise TypeError("must be a whole number, not a string or a fraction")
    return target(value)


class Cents(WholeNumber):
    """An amount: a whole number of cents, 0 to `MAX_CENTS` (domain/money.py's rule)."""


TYPE_DECODERS = [(lambda t: t in (WholeNumber, Cents), _whole_number)]


# What domain/text.py refuses, as a JSON Schema pattern (C0, DEL and C1 controls; a lone
# surrogate cannot be written in one): on one line, and in paragraphs (tabs, line breaks).
NO_CONTROLS = r"^[^\x00-\x1f\x7f-\x9f]*$"
NO_CONTROLS_BUT_BREAKS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"  # EventDate.parse checks the calendar too


def text(min_length: int, max_length: int, *, pattern: str | None = None,
         paragraphs: bool = False, description: str | None = None,
         format: str | None = None) -> msgspec.Meta:
    """A text field's bounds, as the domain checks them (domain/text.py, the columns'
    lengths), declared so the OpenAPI document shows them. msgspec checks the lengths and a
    `pattern`; the control-character rule is only documented here, because WireInput checks
    it (with a message naming the field) for every text, wherever it is."""
    extra: dict[str, Any] = {}
    if pattern is None:
        extra["pattern"] = NO_CONTROLS_BUT_BREAKS if paragraphs else NO_CONTROLS
    if format is not None:
        extra["format"] = format
    return msgspec.Meta(min_length=min_length, max_length=max_length, pattern=pattern,
                        extra_json_schema={"description": description, "extra": extra})


Date = Annotated[str, text(10, 10, pattern=DATE_PATTERN, format="date",
                            description="YYYY-MM-DD, in the business's time zone")]
Slug = Annotated[str, text(1, 100, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Title = Annotated[str, text(1, 200)]
Description = Annotated[str, text(0, 5000, paragraphs=True)]
PhotoUrl = Annotated[str, text(0, PHOTO_URL_MAX, description="an https:// link (http:// too in"
                                                           " the mock preset)")]


class WholeNumberSchema(OpenAPISchemaPlugin):
    """The OpenAPI document shows a `WholeNumber` as what it is on the wire: an integer."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value in (WholeNumber, Cents)

    def to_openapi_schema(self, field_definition: FieldDefinition,
                          schema_creator: SchemaCreator) -> Schema:
        if field_definition.annotation is Cents:
            return Schema(type=OpenAPIType.INTEGER, minimum=0, maximum=MAX_CENTS)
        return Schema(type=OpenAPIType.INTEGER)


class WireInput(msgspec.Struct, rename="camel", forbid_unknown_fields=False):
    """A request body. No text in it may hold what PostgreSQL cannot store or a control
    character (domain/text.py), whichever field it is in: refused here, at the edge, with a
    400, so nothing accepted can fail later. Fields written in paragraphs keep line breaks."""

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            texts = value if isinstance(value, list) else [value]
            multiline = name in _PARAGRAPHS
            if any(isinstance(t, str) and unstorable(t, multiline=multiline) for t in texts):
                raise ValueError(f"{_camel(name)} must not contain control characters")


_PARAGRAPHS = frozenset({"description", "reason"})


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)
