"""Where the default theme lives: inside the installed package, or beside it in a source checkout."""

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
# A wheel installs the top-level theme/ folder as timeline/theme; an editable install runs from the
# checkout, where it stays beside the package.
DEFAULT_THEME = next(p for p in (_PACKAGE / "theme", _PACKAGE.parent / "theme") if (p / "templates").is_dir())
