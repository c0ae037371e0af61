"""Ingest: log files (JSONL, JSONL.gz, Parquet, CSV) into conversations, turns and rejects.

>>> from spec_audit.ingest import ingest_paths, FileResult, ADAPTERS
>>> ADAPTERS
('canonical', 'openai_chat', 'flat')
"""

from spec_audit.ingest.adapters import ADAPTERS
from spec_audit.ingest.load import FileResult, ingest_paths
from spec_audit.ingest.readers import FORMATS

__all__ = ["ADAPTERS", "FORMATS", "FileResult", "ingest_paths"]
