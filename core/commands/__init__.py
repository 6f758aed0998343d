"""What each ``python -m core`` command does; core.cli parses the options and picks one."""
