"""One object per running event loop: per server process, and per test (each has its own loop)."""

import asyncio
import weakref


def per_loop(factory):
    """A function returning the running loop's instance of `factory`, made on first use."""
    instances = weakref.WeakKeyDictionary()

    def instance():
        loop = asyncio.get_running_loop()
        if loop not in instances:
            instances[loop] = factory()
        return instances[loop]

    return instance
