"""``python -m healthlint``: the same as the ``healthlint`` command."""

from .cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
