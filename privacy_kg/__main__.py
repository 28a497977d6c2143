from privacy_kg.cli import main

main()
