import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What a web worker loaded to start (Django, the apps, their models and modules; the URLs and
# templates come with the first request) lives as long as the worker. Once the start-up garbage is
# collected, gc.freeze() moves the rest out of the cyclic collector's sight, so a collection walks
# only what requests allocated since; and the youngest generation is collected after 7,000 new
# objects instead of 700 (a page allocates tens of thousands, nearly all freed at once by reference
# counting). Together they take the collector's share of a request to a third (bench/README.md).
gc.collect()
gc.freeze()
gc.set_threshold(7000, 10, 10)
