"""cmtriage: turn the community monitoring process into commands."""

__version__ = "0.1.0"
