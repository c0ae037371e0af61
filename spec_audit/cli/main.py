"""The `spec-audit` application: registers each command and turns user errors into one line."""

from __future__ import annotations

import sys

import click
import typer

from spec_audit.cli import generate, ingest, run, spec, summary
from spec_audit.cli import validate as validate_command
from spec_audit.cli.dashboard import dashboard
from spec_audit.cli.evaluate import evaluate
from spec_audit.cli.report import report, verify_report
from spec_audit.errors import UserError

app = typer.Typer(
    name="spec-audit",
    help="Audit an AI assistant's production conversations against its behaviour specification.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)
app.command("generate-sample")(generate.generate_sample)
app.command("ingest")(ingest.ingest)
app.command("run")(run.run)
app.command("summary")(summary.summary)
app.add_typer(spec.app, name="spec")
app.command("validate")(validate_command.validate)
app.command("report")(report)
app.command("verify-report")(verify_report)
app.command("dashboard")(dashboard)
app.command("evaluate")(evaluate)


def main() -> None:
    """Run the CLI; a UserError prints `error: <reason>` on stderr and exits 2."""
    try:
        # Without standalone mode click returns a command's exit code instead of exiting.
        code = app(standalone_mode=False)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)  # plain print: never wrapped, always one line
        raise SystemExit(2) from None
    except click.exceptions.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.exceptions.Abort:
        print("aborted", file=sys.stderr)
        raise SystemExit(130) from None
    raise SystemExit(code if isinstance(code, int) else 0)
