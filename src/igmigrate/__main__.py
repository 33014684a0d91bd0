from igmigrate.cli import main

main()
