# Reads src/layers.cmake (the dependency rule) into variables, for the build and for
# cmake/check_layers.cmake alike:
#   HP_LAYERS                      every library, in table order
#   HP_LAYER_FOLDERS_<lib>         its folders under src/
#   HP_LAYER_USES_<lib>            the libraries it may use directly
#   HP_LAYER_HEADERS_<lib>         its public headers (include/hyperpipe/)
#   HP_LAYER_ALLOWED_<lib>         what it may use, transitively (after hp_layers_close())

macro(hp_layer library folders uses)
  list(APPEND HP_LAYERS ${library})
  set(HP_LAYER_FOLDERS_${library} ${folders})
  set(HP_LAYER_USES_${library} ${uses})
endmacro()

macro(hp_public_headers library headers)
  set(HP_LAYER_HEADERS_${library} ${headers})
endmacro()

# The library a path under src/ (or an #include of one) belongs to: the longest folder match.
function(hp_layer_of path out)
  set(best "")
  set(best_length 0)
  foreach(library IN LISTS HP_LAYERS)
    foreach(folder IN LISTS HP_LAYER_FOLDERS_${library})
      string(LENGTH "${folder}" length)
      string(FIND "${path}" "${folder}/" at)
      if(at EQUAL 0 AND length GREATER best_length)
        set(best ${library})
        set(best_length ${length})
      endif()
    endforeach()
  endforeach()
  set(${out} "${best}" PARENT_SCOPE)
endfunction()

# The library a public header (hyperpipe/<name>) belongs to.
function(hp_layer_of_public_header name out)
  set(owner "")
  foreach(library IN LISTS HP_LAYERS)
    if(name IN_LIST HP_LAYER_HEADERS_${library})
      set(owner ${library})
    endif()
  endforeach()
  set(${out} "${owner}" PARENT_SCOPE)
endfunction()

# HP_LAYER_ALLOWED_<lib>: the transitive closure of HP_LAYER_USES_<lib>.
macro(hp_layers_close)
  foreach(library IN LISTS HP_LAYERS)
    set(allowed "")
    set(pending ${HP_LAYER_USES_${library}})
    while(pending)
      list(POP_FRONT pending next)
      if(NOT next IN_LIST allowed)
        list(APPEND allowed ${next})
        list(APPEND pending ${HP_LAYER_USES_${next}})
      endif()
    endwhile()
    set(HP_LAYER_ALLOWED_${library} ${allowed})
  endforeach()
endmacro()

macro(hp_read_layers table)
  set(HP_LAYERS "")
  include(${table})
  hp_layers_close()
endmacro()
