// CLVShims is header-only (static inline functions in include/clv_shims.h); SwiftPM needs one
// source file to build a C target.
#include "clv_shims.h"
