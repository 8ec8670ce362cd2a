extensions = ["protodoc.sphinx"]
project = "protodoc broken"
exclude_patterns = ["_build"]
numfig = True
version = "1.0"
copyright = "the protodoc authors"
