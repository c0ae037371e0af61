"""Resources: the audit database and the spec catalog, configured here and only here."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from pydantic import Field

from spec_audit import config, store
from spec_audit.progress import silent
from spec_audit.spec.catalog import Catalog, load_catalog
from spec_audit.spec.versions import resolve_spec


class AuditDatabase(dg.ConfigurableResource):
    """The DuckDB file every asset reads and writes (``SPEC_AUDIT_DB``, default data/audit.duckdb)."""

    path: str

    @contextmanager
    def connect(self, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Yield a connection (with the schema in place unless ``read_only``); closed on exit."""
        con = store.connect(self.path, read_only=read_only)
        try:
            yield con
        finally:
            con.close()


class SpecCatalog(dg.ConfigurableResource):
    """The spec catalog clauses are judged against (``SPEC_AUDIT_SPEC``, default Model Spec)."""

    path: str

    def load(self) -> Catalog:
        """Return the validated catalog."""
        return load_catalog(self.path)


class Staging(dg.ConfigurableResource):
    """Where parallel audit steps hand their days over as Parquet (``SPEC_AUDIT_STAGING``).

    A local folder (default: ``staging/`` beside the database) or an object-store URL such as
    ``s3://bucket/prefix``; ``storage_options`` are passed to Polars (credentials, region, endpoint).
    """

    url: str
    storage_options: dict[str, str] = Field(default_factory=dict)


def resources() -> dict[str, object]:
    """Return the resources of the code location, read from the environment at load time."""
    return {
        "database": AuditDatabase(path=str(config.db_path())),
        "spec": SpecCatalog(path=str(resolve_spec(None))),
        "progress": silent,
        "staging": Staging(url=str(config.staging_location())),
    }


@dg.definitions
def defs() -> dg.Definitions:
    """Return the resource definitions."""
    return dg.Definitions(resources=resources())
