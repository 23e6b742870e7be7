file(REMOVE_RECURSE
  "libkvmlint_core.a"
)
