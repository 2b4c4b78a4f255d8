"""Entry point of the frozen app: the ``hpgui`` command, window and ``hpgui run`` alike."""

import multiprocessing
import sys

if __name__ == "__main__":
    # The search runs in a spawned child. In a frozen app the child is this same executable started
    # with multiprocessing's arguments; freeze_support() turns it into the child before anything else
    # (no window, no argument parsing) happens.
    multiprocessing.freeze_support()
    from hpgui.cli import main

    sys.exit(main())
