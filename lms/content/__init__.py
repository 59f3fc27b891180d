"""The Markdown course format, as a library: given a course's files (relative path -> bytes),
check their names, parse, validate and render them. It needs no Flask, no database and no disk;
reading a folder and importing into the database live in ``lms/catalogue/``.
See docs/course-format.md."""
