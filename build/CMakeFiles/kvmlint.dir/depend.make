# Empty dependencies file for kvmlint.
# This may be replaced when dependencies are built.
