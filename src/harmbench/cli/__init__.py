"""The `harmbench` command: thin wrappers, each calling one library function."""
