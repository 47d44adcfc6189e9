"""One module per ``timeline`` subcommand, plus the options they share."""
