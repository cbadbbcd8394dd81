"""The ``cop-graph`` command: thin click commands over the library, one module per
command group.

Exit codes: 0 success; 1 the data has SHACL violations; 2 bad input (an unreadable or
malformed file, an unknown query or parameter, a bad option).
"""

from __future__ import annotations

import click

from cop_graph.cli import linking, network, publishing, querying, serving, validating
from cop_graph.cli.common import SETTING
from cop_graph.config import load_config
from cop_graph.errors import CopGraphError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--base", default=None, metavar="IRI", help=SETTING["base"].option_help())
@click.version_option(package_name="cop-graph")
@click.pass_context
def main(ctx: click.Context, base: str | None) -> None:
    """A knowledge graph of the UN B-Tech Project's Company Community of Practice."""
    ctx.ensure_object(dict)
    ctx.obj["overrides"] = {"base": base}
    try:
        ctx.obj["config"] = load_config(base=base)
    except CopGraphError as exc:
        raise click.BadParameter(str(exc), param_hint="--base") from None


for _command in (validating.validate_command, querying.query_command, publishing.export_command,
                 querying.stats_command, network.network_command, linking.import_command, linking.link_command,
                 publishing.generate_command, serving.serve_command):
    main.add_command(_command)
