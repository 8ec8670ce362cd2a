extensions = ["protodoc.sphinx"]
project = "protodoc reference"
exclude_patterns = ["_build"]
protodoc_reference_dir = "specs"
protodoc_reference_output = "protocols"
protodoc_engine = "graphviz"
