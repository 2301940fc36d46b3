"""`otg init --github-actions`: the nightly GitHub Actions workflow written into a repository.

The workflow (``config/templates/github-actions/otg-nightly.yml``, the same bytes as
``deploy/github-actions/otg-nightly.yml``) syncs every night and on demand, keeps the state
database on a branch of its own, and publishes the site to GitHub Pages. It expects the starter's
``state_db`` and ``output_dir`` and a ``[site]`` table, so a config written with it gets one.
"""

from __future__ import annotations

from pathlib import Path

from sync.errors import UsageError

WORKFLOW = Path(__file__).resolve().parents[1] / "config" / "templates" / "github-actions"
WORKFLOW_FILE = WORKFLOW / "otg-nightly.yml"
IN_REPOSITORY = Path(".github") / "workflows" / "otg-nightly.yml"
SITE_TABLE = """
# The static site (events page, feed, roundups) the nightly workflow publishes to GitHub Pages.
[site]
# base_url = "https://<owner>.github.io/<repository>/"   # set it once Pages shows the address
publish_drafts = false   # true puts drafted content cards on the site, for Medium's Import a story
"""


def write_workflow(config: Path, *, force: bool) -> Path:
    """Write the workflow into the repository whose top folder holds ``config``; its path."""
    target = config.resolve().parent / IN_REPOSITORY
    if target.exists() and not force:
        raise UsageError(f"{target} already exists", "pass --force to overwrite it")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(WORKFLOW_FILE.read_bytes())
    except OSError as exc:
        raise UsageError(
            f"cannot write {target}: {exc.strerror or exc}",
            "run it from the repository's top folder, with the config there",
        ) from None
    return target
