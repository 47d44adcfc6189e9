"""Site settings: one typed object, read from ``timeline.toml`` and the command line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CONFIG_NAME = "timeline.toml"


class ConfigError(Exception):
    """A settings file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class SiteConfig:
    site_dir: Path
    content_dir: Path
    output_dir: Path
    theme_dir: Path | None = None  # a user theme; files it lacks come from the default theme
    title: str = "Timeline"
    description: str = ""
    base_url: str = ""  # "https://user.github.io/repo/" or "/repo/"; "" for the root of a host
    language: str = "en"
    timezone: str = "UTC"
    cname: str = ""  # custom domain written to output/CNAME, e.g. "timeline.example.org"
    # The day against which undated articles are judged ("not after today").
    today: date = field(default_factory=date.today)

    @property
    def base_path(self) -> str:
        """The URL path the site is served under, always with slashes around it: "/", "/repo/"."""
        path = self.base_url
        if "://" in path:
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        path = "/" + path.strip("/") + "/"
        return "/" if path == "//" else path

    def absolute_url(self, path: str = "") -> str | None:
        """Full URL of a page, or None when no full base URL is configured."""
        if "://" not in self.base_url:
            return None
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


_STRING_KEYS = ("title", "description", "base_url", "language", "timezone", "cname")
# A bare domain name: labels of letters, digits and hyphens, at least two of them.
_DOMAIN = re.compile(r"(?=.{1,253}$)(?:(?!-)[a-z0-9-]{1,63}(?<!-)\.)+(?!-)[a-z0-9-]{2,63}(?<!-)", re.IGNORECASE)
_PATH_KEYS = {"content": "content_dir", "output": "output_dir", "theme": "theme_dir"}


def load_config(
    site_dir: Path | str = ".",
    config_file: Path | str | None = None,
    *,
    content: Path | str | None = None,
    output: Path | str | None = None,
    base_url: str | None = None,
    today: date | None = None,
) -> SiteConfig:
    """Read ``timeline.toml`` (if any) and apply command-line overrides.

    Relative paths in the file are relative to the file's folder; on the command line, to the
    current folder.
    """
    site_dir = Path(site_dir).resolve()
    explicit = config_file is not None
    config_path = Path(config_file).resolve() if explicit else site_dir / CONFIG_NAME
    values: dict = {}
    if config_path.is_file():
        site_dir = config_path.parent
        values = _read_toml(config_path)
    elif explicit:
        raise ConfigError(f"{config_path}: no such settings file")

    settings: dict = {}
    for key in _STRING_KEYS:
        if key in values:
            if not isinstance(values[key], str):
                raise ConfigError(f"{config_path}: '{key}' must be a string, got {values[key]!r}")
            settings[key] = values[key]
    for key, attr in _PATH_KEYS.items():
        if key in values:
            if not isinstance(values[key], str):
                raise ConfigError(f"{config_path}: '{key}' must be a folder path, got {values[key]!r}")
            settings[attr] = (site_dir / values[key]).resolve()
    unknown = sorted(set(values) - set(_STRING_KEYS) - set(_PATH_KEYS))
    if unknown:
        raise ConfigError(f"{config_path}: unknown setting(s) {', '.join(unknown)}")

    settings.setdefault("content_dir", site_dir / "content")
    settings.setdefault("output_dir", site_dir / "output")
    if content is not None:
        settings["content_dir"] = Path(content).resolve()
    if output is not None:
        settings["output_dir"] = Path(output).resolve()
    if base_url is not None:
        settings["base_url"] = base_url
    if today is not None:
        settings["today"] = today
    if settings.get("cname") and not _DOMAIN.fullmatch(settings["cname"]):
        raise ConfigError(
            f"{config_path}: 'cname' must be a bare domain name like 'timeline.example.org' "
            f"(no https://, no path), got {settings['cname']!r}"
        )
    config = SiteConfig(site_dir=site_dir, **settings)
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{config_path}: unknown timezone {config.timezone!r} (use an IANA name like 'Europe/Paris')")
    return config


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: {e}") from None
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from None


__all__ = ["CONFIG_NAME", "ConfigError", "SiteConfig", "load_config", "replace"]
