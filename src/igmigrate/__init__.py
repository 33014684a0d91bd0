"""igmigrate: audit code for the Instagram Basic Display API and plan the migration."""

__version__ = "0.1.0"
