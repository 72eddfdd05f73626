import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
application = get_wsgi_application()

# What a web worker loaded to start (Django, the apps, their models and modules) lives as long as
# the worker. gc.freeze() moves it out of the cyclic garbage collector's sight, so a collection walks
# only what requests allocated since; and the youngest generation is collected after 7,000 new
# objects instead of 700 (a page allocates tens of thousands, nearly all freed at once by reference
# counting). Together they halve the collector's share of a request (bench/README.md, load_test).
gc.freeze()
gc.set_threshold(7000, 10, 10)
