"""A generated demo directory with history, leads and accounts. Imported only by the CLI
(`python -m core seed`) and the app's first start."""
