"""The terminology boundary: FHIR R4 resources -> a PatientRecord of concepts.

Code tables are reviewable CSV files in this package; units are normalized to one canonical
unit per concept; rules downstream never see a code or a unit string they must interpret.
"""
