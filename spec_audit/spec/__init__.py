"""Spec catalogs: the YAML schema and loader, and the compiler for their conditions."""

from spec_audit.spec.catalog import SIGNALS_VERSION, Catalog, Clause, load_catalog
from spec_audit.spec.expressions import Compiled, compile_expression

__all__ = [
    "SIGNALS_VERSION",
    "Catalog",
    "Clause",
    "Compiled",
    "compile_expression",
    "load_catalog",
]
