"""FHIR resources as HTTP responses, for the doctor's and the patient's downloads."""

import json

from django.http import HttpResponse

FHIR_JSON = "application/fhir+json; charset=utf-8"


def fhir_response(resource: dict, *, filename: str | None = None) -> HttpResponse:
    """JSON as FHIR asks for it; with a filename, a download (the name carries no health data)."""
    response = HttpResponse(json.dumps(resource, ensure_ascii=False, indent=2), content_type=FHIR_JSON)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
