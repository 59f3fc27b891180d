"""The Markdown course format: load, validate, render and sync. See docs/course-format.md."""
