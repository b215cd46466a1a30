"""Finding ``mkdocs.yml`` and reading the plugin's options from it without importing MkDocs.

The ``kb`` command must agree with the site, so it reads the same file; the core stays
free of MkDocs, so this is a plain YAML read that tolerates MkDocs' own tags
(``!ENV`` is resolved as MkDocs does; ``!relative`` and ``!!python/name:...`` are read
as plain values, never run).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.format.settings import Settings, SettingsError, parse_settings

PLUGIN_NAME = "postmortems"
# The names a folder's configuration may have, in the order ProperDocs tries them (MkDocs
# reads the last two): the only builder that reads both names decides which one wins.
CONFIG_NAMES = ("properdocs.yml", "properdocs.yaml", "mkdocs.yml", "mkdocs.yaml")


class _TolerantLoader(yaml.SafeLoader):
    """Safe loading, with any tag read as the plain value it decorates."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


def _env(loader: yaml.SafeLoader, node: yaml.Node) -> object:
    """MkDocs' ``!ENV NAME`` or ``!ENV [NAME, OTHER, default]``: the first variable set."""
    if isinstance(node, yaml.ScalarNode):
        names, default = [loader.construct_scalar(node)], None
    else:
        *names, default = loader.construct_sequence(node)
    for name in names:
        if name in os.environ:
            return yaml.safe_load(os.environ[name])
    return default


_TolerantLoader.add_constructor("!ENV", _env)
_TolerantLoader.add_multi_constructor("!", _untagged)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _untagged)


@dataclass(frozen=True)
class Project:
    """A project folder: where ``mkdocs.yml`` is, the plugin's settings in it, and what
    MkDocs' own options say of where the site's pages are (for links made outside it, and
    for ``kb export``)."""

    config_file: Path
    settings: Settings
    docs_dir: str = "docs"  # relative to the project, as in mkdocs.yml
    site_url: str | None = None  # MkDocs' ``site_url``: where the site is published
    use_directory_urls: bool = True

    @property
    def root(self) -> Path:
        return self.config_file.parent

    @property
    def source_dir(self) -> Path:
        return self.settings.source_dir(self.root)


def plugin_options(config: object) -> object:
    """The ``postmortems`` entry of ``plugins:``, as a list or a mapping."""
    plugins = config.get("plugins", []) if isinstance(config, dict) else []
    entries = (
        plugins.items()
        if isinstance(plugins, dict)
        else (next(iter(p.items())) if isinstance(p, dict) and len(p) == 1 else (p, None) for p in plugins or [])
    )
    for name, options in entries:
        if name == PLUGIN_NAME:
            return options
    raise SettingsError(f"no '{PLUGIN_NAME}' plugin under 'plugins:'")


def find_config(start: Path) -> Path | None:
    """The configuration ``kb`` reads when no ``-f`` names one, found as git finds its
    repository: in ``start`` or the nearest folder above it, so a command typed anywhere
    in the repository uses its library."""
    for folder in _searched(start):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def _searched(start: Path) -> list[Path]:
    """``start`` and the folders above it, up to the top of the git repository it is in:
    a repository without a configuration never picks up a stray file above it."""
    folders = []
    for folder in (start, *start.parents):
        folders.append(folder)
        if (folder / ".git").exists():
            break
    return folders


def _not_found(start: Path) -> SettingsError:
    top = _searched(start)[-1]
    above = f", nor in a folder above it up to {top}" if top != start else ""
    return SettingsError(
        f"no mkdocs.yml or properdocs.yml in {start}{above}; run kb in your library's repository, "
        "or name the configuration with -f PATH"
    )


def shown(path: Path) -> str:
    """A path as ``kb`` prints it, however it was found or typed: relative to the working
    folder when inside it (what a terminal or an editor opens from there), else absolute;
    ``..`` resolved."""
    absolute = Path(os.path.normpath(path.absolute()))
    cwd = Path.cwd()
    return str(absolute.relative_to(cwd)) if absolute.is_relative_to(cwd) else str(absolute)


def open_project(config_file: str | Path | None = None) -> Project:
    """The project of ``config_file``; without one, of the configuration ``find_config``
    finds from the working folder."""
    if config_file is None:
        config_file = find_config(Path.cwd())
        if config_file is None:
            raise _not_found(Path.cwd())
    path = Path(config_file).resolve()
    name = shown(Path(config_file))
    try:
        config = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_TolerantLoader)
    except OSError as exc:
        raise SettingsError(f"cannot read {name}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SettingsError(f"{name}: invalid YAML: {exc}") from None
    try:
        settings = parse_settings(plugin_options(config))
    except SettingsError as exc:
        raise SettingsError(f"{name}: {exc}") from None
    site = config if isinstance(config, dict) else {}
    return Project(
        path,
        settings,
        docs_dir=str(site.get("docs_dir") or "docs"),
        site_url=str(site["site_url"]) if site.get("site_url") else None,
        use_directory_urls=site.get("use_directory_urls", True) is not False,
    )
