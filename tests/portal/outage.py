"""Point the Celery app at a broker and back: a closed port stands for a broker outage."""

import contextlib

from django.conf import settings
from kombu import pools

from portal.celery import app

CLOSED_PORT_BROKER = "redis://127.0.0.1:6390/0"  # nothing listens there


def use_broker(url: str, transport_options: dict) -> None:
    # Celery prefers the CELERY_BROKER_URL environment variable to ``broker_url``, but not to the
    # read and write URLs.
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = url
    app.conf.broker_transport_options = transport_options
    # Producers keep a pool of connections to the broker they were created for, in kombu's
    # registry too: empty both, or the next publish acquires from a closed pool.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def broker_down():
    """Tasks really go to a broker, and that broker is unreachable, until the block ends."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    use_broker(CLOSED_PORT_BROKER, settings.BROKER_REDIS_TRANSPORT_OPTIONS)
    try:
        yield
    finally:
        use_broker(settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS)
        app.conf.task_always_eager = eager
