"""`igmigrate report`: a migration report (Markdown or one HTML page) built from a scan."""
