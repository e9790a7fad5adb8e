"""Open Referral UK (HSDS 3.0) interface of the support directory.

`routes` serves the public read API under `/openreferral`, `importer` and
`exporter` read and write Open Referral JSON and the staff CSV format, and
`python -m directory.openreferral` runs the import and export from a shell.
"""
