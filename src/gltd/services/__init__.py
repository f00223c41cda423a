"""Services: analyses run on the store, shared by the CLI, the report and the web application."""
