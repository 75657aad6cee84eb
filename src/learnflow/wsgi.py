import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "learnflow.settings")
application = get_wsgi_application()

# What the app loaded is kept for the life of the process: moved out of the collector's sight, and the youngest
# generation collected every 20,000 allocations instead of 700. A 100-statement xAPI batch allocates tens of thousands
# of objects, and with the default thresholds the collector took 10-15% of its CPU (docs/LRS.md, session 5).
gc.freeze()
gc.set_threshold(20_000, 50, 100)
