import sys

from viewer.app import exit_now, main

exit_now(main(sys.argv[1:]))
