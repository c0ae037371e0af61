"""The code location's entry point: everything is loaded from the ``defs/`` folder."""

import dagster as dg

from dagster_project import defs as defs_folder

defs = dg.components.load_defs(defs_folder)
