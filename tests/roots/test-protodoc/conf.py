extensions = ["protodoc.sphinx"]
project = "protodoc test"
exclude_patterns = ["_build"]
