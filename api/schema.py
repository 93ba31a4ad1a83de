"""The refusals every endpoint may answer, written into the OpenAPI schema once for all.

Views document their own success and their own refusals (a service's 400 keyed by field, a
403 for a role). What any endpoint may answer besides comes from the framework, and this
drf-spectacular post-processing hook documents it where a view did not:

- 403 wherever a credential is accepted: not signed in, not allowed, or a bad API token
  (session authentication comes first, so DRF answers 403 rather than 401);
- 404 wherever the path names a record (out of scope answers 404, as missing does), and on
  paginated lists (a page past the end);
- 400 wherever there are query parameters (a filter value that does not parse) or a request
  body (one that does not validate);
- 415 wherever there is a request body (one sent in a media type the endpoint does not read).

It also writes times of day as what they are: a wall-clock time ("09:00" or "09:00:00") in
the zone the record names, not OpenAPI's `format: time`, which would need a UTC offset.
"""

ERROR_DETAIL = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": "Messages keyed by query parameter or field.",
}


def _response(description: str, schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}, "description": description}


WALL_CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$"


def _wall_clock_times(node) -> None:
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") == "time":
            del node["format"]
            node["pattern"] = WALL_CLOCK
            node.setdefault("example", "09:00:00")
        for value in node.values():
            _wall_clock_times(value)
    elif isinstance(node, list):
        for value in node:
            _wall_clock_times(value)


def document_refusals(result, generator, request, public):
    _wall_clock_times(result)
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    detail = {"$ref": "#/components/schemas/ErrorDetail"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "put", "patch", "post", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            query = {p["name"] for p in parameters if p.get("in") == "query"}
            takes_credentials = any(scheme for scheme in operation.get("security", []))
            if takes_credentials:
                responses.setdefault(
                    "403", _response("Not signed in, not allowed, or a bad API token.", detail)
                )
            if "{" in path or "page" in query:
                responses.setdefault("404", _response("No such record in your scope.", detail))
            if "requestBody" in operation:
                responses.setdefault(
                    "415",
                    _response("The body is in a media type this endpoint does not read.", detail),
                )
            if query - {"format"} or "requestBody" in operation:
                responses.setdefault(
                    "400", _response("A parameter or field that does not validate.", FIELD_ERRORS)
                )
    return result
