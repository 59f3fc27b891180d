"""The course catalogue as the app holds it: read from a folder on disk (``files``), imported into
the database (``sync``), its source files kept beside the imported rows (``workspace``).

``lms/content/`` knows the course format and nothing else; this package is where courses meet
the disk and the database.
"""
