"""Reading a FHIR JSON file from outside safely, before the FHIR import looks at its content.

Limits, each refused with a one-line reason (`UnsafeInput`) and nothing read further:
the file's size (FHIR_IMPORT_MAX_BYTES), the nesting depth (FHIR_IMPORT_MAX_DEPTH),
duplicate keys in an object (JSON allows them and Python keeps the last one silently,
so two readers could see two different documents), and the JSON type of the FHIR
elements the import reads (a number where a date-time string belongs).
"""

import json
from pathlib import Path

# A questionnaire response of the portal is a few kilobytes; a Bundle with its assessment, tens.
FHIR_IMPORT_MAX_BYTES = 1024 * 1024
# FHIR resources nest a handful of levels (Bundle > entry > resource > item > answer > value).
FHIR_IMPORT_MAX_DEPTH = 32

# FHIR R4 elements whose JSON form is a string (primitive types string, code, uri, id, date,
# dateTime, instant, canonical, markdown).
STRING_ELEMENTS = frozenset(
    {
        "resourceType",
        "id",
        "status",
        "authored",
        "birthDate",
        "issued",
        "effectiveDateTime",
        "date",
        "linkId",
        "text",
        "system",
        "code",
        "display",
        "questionnaire",
        "url",
        "fullUrl",
        "reference",
        "type",
        "gender",
        "valueString",
        "valueCode",
        "valueUri",
        "valueDate",
        "valueDateTime",
        "valueTime",
    }
)
BOOLEAN_ELEMENTS = frozenset({"valueBoolean"})
INTEGER_ELEMENTS = frozenset({"valueInteger"})
NUMBER_ELEMENTS = frozenset({"valueDecimal"})


class UnsafeInput(Exception):
    """The file is refused before its content is used; the message is one line, safe to print."""


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise UnsafeInput(f'the key "{key[:40]}" appears twice in one object.')
        seen[key] = value
    return seen


def _check_types(document) -> None:
    """Walk the document without recursion: depth, and the JSON type of each known element."""
    stack = [(document, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if depth > FHIR_IMPORT_MAX_DEPTH:
            raise UnsafeInput(f"nested deeper than {FHIR_IMPORT_MAX_DEPTH} levels.")
        if isinstance(value, dict):
            for key, item in value.items():
                _check_element(key, item, f"{path}.{key}" if path else key)
                stack.append((item, depth + 1, f"{path}.{key}" if path else key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, path) for item in value)


def _check_element(key, value, path) -> None:
    if key in STRING_ELEMENTS and not isinstance(value, str | list | dict):
        raise UnsafeInput(f'"{path[:80]}" must be a string, not {_kind(value)}.')
    if key in BOOLEAN_ELEMENTS and not isinstance(value, bool):
        raise UnsafeInput(f'"{path[:80]}" must be true or false, not {_kind(value)}.')
    if key in INTEGER_ELEMENTS and (isinstance(value, bool) or not isinstance(value, int)):
        raise UnsafeInput(f'"{path[:80]}" must be a whole number, not {_kind(value)}.')
    if key in NUMBER_ELEMENTS and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise UnsafeInput(f'"{path[:80]}" must be a number, not {_kind(value)}.')


def _kind(value) -> str:
    return {bool: "true/false", int: "a number", float: "a number", str: "a string"}.get(
        type(value), "null" if value is None else "an object or a list"
    )


def fhir_json_load(path: str):
    """The parsed JSON document in the file at `path`, or `UnsafeInput` with the reason it is refused.

    Elements such as `text` or `code` that FHIR also uses as names of complex
    elements may hold an object; only a number, true/false or null where a
    string belongs is refused.
    """
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > FHIR_IMPORT_MAX_BYTES:
            raise UnsafeInput(f"the file is larger than {FHIR_IMPORT_MAX_BYTES // 1024} KB.")
        with file.open("rb") as handle:
            raw = handle.read(FHIR_IMPORT_MAX_BYTES + 1)
    except FileNotFoundError:
        raise UnsafeInput("no such file.") from None
    except OSError as exc:
        raise UnsafeInput(f"cannot be read ({type(exc).__name__}).") from None
    if len(raw) > FHIR_IMPORT_MAX_BYTES:
        raise UnsafeInput(f"the file is larger than {FHIR_IMPORT_MAX_BYTES // 1024} KB.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsafeInput("cannot be read as UTF-8 text.") from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except RecursionError:
        raise UnsafeInput(f"nested deeper than {FHIR_IMPORT_MAX_DEPTH} levels.") from None
    except json.JSONDecodeError as exc:
        raise UnsafeInput(f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).") from None
    except ValueError:
        # Python refuses to read an integer of more than 4,300 digits (a denial-of-service guard).
        raise UnsafeInput("holds a number too long to read.") from None
    _check_types(document)
    return document
