"""The `vanban` command line: `main` parses the arguments, the other modules hold the commands."""
