"""`igmigrate history`: scan past commits of the current branch (without touching the work
tree) and chart the findings over time. model (the points and their JSON), commits (which
commits, read from git), engine (a scan per commit, sharing the result cache), command."""
