widget source (example)
