from cmtriage.cli import main

main()
