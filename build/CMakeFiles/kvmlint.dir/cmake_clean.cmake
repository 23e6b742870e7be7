file(REMOVE_RECURSE
  "CMakeFiles/kvmlint.dir/src/main.c.o"
  "CMakeFiles/kvmlint.dir/src/main.c.o.d"
  "kvmlint"
  "kvmlint.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/kvmlint.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
