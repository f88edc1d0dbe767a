"""MkDocs hooks (named in ``mkdocs.yml``): edit-link choices the config cannot express.

Generated reference pages get no "edit this page" link: they are rebuilt from the specs on
every build, so an edit there would be lost (their first line says which spec to change).
"""

from __future__ import annotations

from typing import Any

GENERATED_PREFIX = "reference/"


def on_files(files: Any, config: Any) -> Any:
    for file in files:
        if file.src_uri.startswith(GENERATED_PREFIX):
            file.edit_uri = None
    return files


def on_config(config: Any) -> Any:
    # Without a repository address an edit link could only be guessed: show none.
    if not config.get("repo_url"):
        config["edit_uri"] = None
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    from pathlib import Path

    from refarch.docsgen.page_inserts import expand

    return expand(markdown, Path(config["docs_dir"]), page.file.src_uri)
