"""``timeline check``: review the whole site and list what an editor should look at."""

from __future__ import annotations

import json
import sys

import click

from timeline.commands.options import load_site_config, site_options
from timeline.problems import count


@click.command()
@site_options
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="text: 'file:line:column: kind: message' and the sentence; json: {\"findings\": [...]} for tools.",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None,
    help="Articles tagged in parallel (default: one per core; 1 tags in this process).",
)
def check(content, output, config_file, base_url, output_format, jobs) -> None:
    """Review the site: inferred publication dates, uncertain or unresolved dates, past events
    dated in the future, unused overrides, disputed events and content errors. Writes no site.
    Exits with status 1 when there are errors (warnings alone: 0)."""
    from timeline.build import never_write, build_site
    from timeline.review import counts, review
    from timeline.tagging import ExecutorSpec

    config = load_site_config(content, output, config_file, base_url)
    result = build_site(config, executor=ExecutorSpec("process", jobs), write_if=never_write)
    findings = review(config, result)
    errors, warnings = counts(findings)
    if output_format == "json":
        document = {"findings": [f.as_json() for f in findings], "errors": errors, "warnings": warnings}
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            click.echo(str(finding))
            if finding.sentence:
                click.echo(f"    {finding.sentence}")
        click.echo(f"{count(result.article_count, 'article')} checked: {count(errors, 'error')}, {count(warnings, 'warning')}", err=True)
    sys.exit(1 if errors else 0)
