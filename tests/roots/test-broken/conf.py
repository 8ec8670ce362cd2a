extensions = ["protodoc.sphinx"]
project = "protodoc broken"
exclude_patterns = ["_build"]
