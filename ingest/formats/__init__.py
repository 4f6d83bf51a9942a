"""Readers for the file formats plans come in; `ingest.read.read_document` picks one."""
