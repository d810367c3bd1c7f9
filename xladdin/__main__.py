from xladdin.cli import main

main()
