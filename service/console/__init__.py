"""The intake console (``/console``) and the patient page (``/portal``): server-rendered HTML over the
service's own functions. See ``routes.py`` (staff) and ``patient.py`` (patients)."""
