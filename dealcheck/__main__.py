"""``python -m dealcheck``: the same as the ``dealcheck`` command."""

from dealcheck.cli import main

if __name__ == "__main__":
    main()
