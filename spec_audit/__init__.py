"""spec-audit: audit a deployed AI assistant's conversations against its behaviour specification."""

__version__ = "0.1.0"
