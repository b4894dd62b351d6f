"""HL7 FHIR R4: what the portal writes (`export`) and what it reads back in (`imports`)."""
