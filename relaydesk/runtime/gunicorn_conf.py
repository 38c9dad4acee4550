"""Gunicorn settings that `relaydesk serve` passes with `--config`.

Each worker, once the application is loaded, moves everything it has allocated so far out
of the garbage collector's reach (`gc.freeze`) and collects the young generation less
often: Django's modules, templates and URL resolvers are long-lived, and rescanning them in
full collections showed up as 50-80 ms pauses in the slowest requests.
"""

import gc


def post_worker_init(worker):
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)
