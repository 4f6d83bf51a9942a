"""The `plangraph` command. Each area registers its own subcommands."""
from __future__ import annotations

import argparse
import sys

from plangraph import cli_app, cli_check, cli_compare, cli_extract, cli_findings, cli_graph, cli_link, cli_neo4j

COMMAND_MODULES = (cli_extract, cli_check, cli_graph, cli_findings, cli_compare, cli_link, cli_neo4j, cli_app)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="plangraph",
        description="PlanGraph (规划图谱): Chinese government plans as a graph of tasks, units and legal basis.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("plangraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
