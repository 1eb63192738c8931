"""The `mirage` command's subcommands, one module per group; mirage/cli.py assembles them."""
