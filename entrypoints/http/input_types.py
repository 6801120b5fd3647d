"""What a request body may hold, beyond its shape: strict numbers and storable text.

Litestar converts bodies leniently (msgspec's strict=False), so a plain `int` field takes "100"
and 100.0; a `WholeNumber` takes only a JSON integer. Every text in a `WireInput` body obeys
domain/text.py's rule, so what the edge accepts PostgreSQL can store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.plugins import OpenAPISchemaPlugin
from litestar.typing import FieldDefinition

from domain.text import unstorable

if TYPE_CHECKING:  # Litestar's own type for the plugin's signature (a private module)
    from litestar._openapi.schema_generation import SchemaCreator


class WholeNumber(int):
    """An integer body field that must be a JSON number: Litestar converts bodies leniently,
    so a plain `int` would take "100" (and 100.0) too; `TYPE_DECODERS` refuses them (400)."""


def _whole_number(_: type, value: Any) -> WholeNumber:
    if type(value) is not int:  # bool is an int subclass: excluded by the exact type check
        raise TypeError("must be a whole number, not a string or a fraction")
    return WholeNumber(value)


TYPE_DECODERS = [(lambda t: t is WholeNumber, _whole_number)]


class WholeNumberSchema(OpenAPISchemaPlugin):
    """The OpenAPI document shows a `WholeNumber` as what it is on the wire: an integer."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return value is WholeNumber

    def to_openapi_schema(self, field_definition: FieldDefinition,
                          schema_creator: SchemaCreator) -> Schema:
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
