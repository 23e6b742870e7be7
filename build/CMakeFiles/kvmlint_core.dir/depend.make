# Empty dependencies file for kvmlint_core.
# This may be replaced when dependencies are built.
