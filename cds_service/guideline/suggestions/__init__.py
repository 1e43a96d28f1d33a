"""FHIR resources the guideline suggests (order templates): the only codes near the rules."""
