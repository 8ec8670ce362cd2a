extensions = ["myst_parser", "protodoc.sphinx"]
project = "protodoc myst"
exclude_patterns = ["_build"]
