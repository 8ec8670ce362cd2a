extensions = ["myst_parser", "protodoc.sphinx"]
project = "protodoc myst"
exclude_patterns = ["_build"]
numfig = True
version = "1.0"
copyright = "the protodoc authors"
