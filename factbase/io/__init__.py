"""Files in and out: reading input files (YAML, JSON, JSON Lines, CSV, Wikidata dumps) into
records, and the one atomic writer for files the user asks for. Imports only the core.
"""
